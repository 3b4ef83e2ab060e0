package dev.veil.protocol.mysql;

import io.vertx.core.buffer.Buffer;

import java.util.ArrayDeque;

/**
 * Follows the server's answers to the commands sent on one connection, packet by packet, to know where
 * each answer ends (dev.mysql.com "COM_QUERY Response", "COM_STMT_PREPARE Response", "Binary Protocol
 * Resultset", "COM_STMT_FETCH"). It reads only headers, so the gateway knows when the connection is between
 * commands, whether a transaction is open, and how many rows went by, and tells the relay what each packet
 * is ({@link Part}): column definition, row, end of a result, or anything else.
 *
 * <p>Commands may be pipelined (MariaDB Connector/J sends COM_STMT_PREPARE and COM_STMT_EXECUTE back to
 * back), so expectations queue up in the order the commands were sent.
 *
 * <p>Column definitions are counted, never read: their layout may vary (MariaDB's extended metadata adds a
 * block to each), and only {@link ColumnDefinition} decodes them, told what the connection negotiated.
 */
public final class ResponseTracker {
    /** What the answer to a command looks like. */
    public enum Shape {
        /** OK, ERR, or one or more result sets (COM_QUERY, COM_STMT_EXECUTE). */
        RESULT,
        /** COM_STMT_EXECUTE that asked for a cursor: ends after the column definitions when the cursor opens. */
        RESULT_OR_CURSOR,
        /** Rows then a terminator (COM_STMT_FETCH). */
        ROWS,
        /** COM_STMT_PREPARE_OK with parameter and column definitions, or ERR. */
        PREPARE,
        /** Column definitions until EOF (COM_FIELD_LIST). */
        FIELD_LIST,
        /** One packet of any kind: OK, ERR, EOF, or COM_STATISTICS' bare string. */
        SINGLE
    }

    /** What one packet of an answer is, to the relay. */
    public enum Part {
        /** A column definition of a result set (not one of a COM_STMT_PREPARE or COM_FIELD_LIST answer). */
        COLUMN,
        /** A row of a result set, text or binary protocol. */
        ROW,
        /** What ends a result or reports an error: the OK answering a statement, the terminator after rows, any ERR. */
        END,
        /** Anything else: column counts, the EOF after column definitions, answers to prepares, pings, field lists. */
        OTHER
    }

    /** Told when an answer is complete. */
    public interface Listener {
        void onResponseComplete(int command, boolean error, int statusFlags, long rows);
    }

    private enum State { FIRST, COLUMNS, COLUMNS_EOF, ROWS, PREPARE_PARAMS, PREPARE_PARAMS_EOF, PREPARE_COLUMNS, PREPARE_COLUMNS_EOF }

    private record Expectation(int command, Shape shape) {
    }

    private final boolean deprecateEof;
    private final Listener listener;
    private final ArrayDeque<Expectation> queue = new ArrayDeque<>();

    private State state = State.FIRST;
    private long remaining;
    private int prepareColumns;
    private long lastPreparedStatementId = -1;
    private int lastErrorCode;
    private String lastSqlState;
    private long rows;
    private int statusFlags = ServerStatus.AUTOCOMMIT;
    private boolean continuation;
    /** What the logical packet that the next continuation packet belongs to is. */
    private Part continued = Part.OTHER;

    public ResponseTracker(boolean deprecateEof, Listener listener) {
        this.deprecateEof = deprecateEof;
        this.listener = listener;
    }

    public void expect(int command, Shape shape) {
        queue.addLast(new Expectation(command, shape));
    }

    /** Commands sent whose answers have not fully arrived. */
    public int pending() {
        return queue.size();
    }

    /** Statement id of the last successful COM_STMT_PREPARE answer (-1 before any). */
    public long lastPreparedStatementId() {
        return lastPreparedStatementId;
    }

    /** True while the answer being read is a binary protocol resultset (COM_STMT_EXECUTE, COM_STMT_FETCH). */
    public boolean binaryRows() {
        Expectation e = queue.peekFirst();
        return e != null && (e.command() == Command.COM_STMT_EXECUTE || e.command() == Command.COM_STMT_FETCH);
    }

    /** Error number and SQLSTATE of the last ERR packet seen. */
    public int lastErrorCode() {
        return lastErrorCode;
    }

    public String lastSqlState() {
        return lastSqlState;
    }

    /** Status flags of the last OK / EOF seen (IN_TRANS tells whether a transaction is open). */
    public int statusFlags() {
        return statusFlags;
    }

    /**
     * Reads one physical packet. Packets after a full-size (0xFFFFFF) one continue the same logical packet
     * and carry no header of their own: they are the same {@link Part} as the packet they continue.
     *
     * @return what the packet is
     * @throws MalformedPacketException if the server sends what no pending command can explain
     */
    public Part onPacket(Buffer buf, int offset, int length) {
        boolean wasContinuation = continuation;
        continuation = length == Packets.MAX_PAYLOAD;
        if (wasContinuation) {
            return continued;
        }
        Expectation e = queue.peekFirst();
        if (e == null) {
            throw new MalformedPacketException("the server sent a packet while no command was pending"
                    + (length > 0 && buf.getUnsignedByte(offset) == ErrPacket.HEADER ? ": " + errMessage(buf, offset, length) : ""));
        }
        int header = length == 0 ? -1 : buf.getUnsignedByte(offset);
        if (header == ErrPacket.HEADER) {
            noteError(buf, offset, length);
        }
        continued = switch (state) {
            case FIRST -> first(e, header, buf, offset, length);
            case COLUMNS -> {
                if (--remaining == 0) {
                    afterColumns(e);
                }
                yield Part.COLUMN;
            }
            case COLUMNS_EOF -> {
                if (header == ErrPacket.HEADER) {
                    done(e, true);
                    yield Part.END;
                } else {
                    int status = eofStatus(buf, offset, length);
                    if (e.shape() == Shape.RESULT_OR_CURSOR && (status & ServerStatus.CURSOR_EXISTS) != 0) {
                        statusFlags = status;
                        done(e, false);
                    } else {
                        state = State.ROWS;
                    }
                    yield Part.OTHER;
                }
            }
            case ROWS -> rowsPacket(e, header, buf, offset, length);
            case PREPARE_PARAMS -> {
                if (--remaining == 0) {
                    if (deprecateEof) {
                        prepareColumnsStart(e);
                    } else {
                        state = State.PREPARE_PARAMS_EOF;
                    }
                }
                yield Part.OTHER;
            }
            case PREPARE_PARAMS_EOF -> {
                prepareColumnsStart(e);
                yield Part.OTHER;
            }
            case PREPARE_COLUMNS -> {
                if (--remaining == 0) {
                    if (deprecateEof) {
                        done(e, false);
                    } else {
                        state = State.PREPARE_COLUMNS_EOF;
                    }
                }
                yield Part.OTHER;
            }
            case PREPARE_COLUMNS_EOF -> {
                done(e, false);
                yield Part.OTHER;
            }
        };
        return continued;
    }

    private Part first(Expectation e, int header, Buffer buf, int offset, int length) {
        switch (e.shape()) {
            case SINGLE -> {
                if (header == OkPacket.HEADER || (header == EofPacket.HEADER && length < 9)) {
                    statusFlags = okOrEofStatus(header, buf, offset, length);
                }
                done(e, header == ErrPacket.HEADER);
            }
            case FIELD_LIST -> {
                if (header == ErrPacket.HEADER) {
                    done(e, true);
                } else if (isTerminator(header, length)) {
                    done(e, false);
                }
            }
            case ROWS -> {
                return rowsPacket(e, header, buf, offset, length);
            }
            case PREPARE -> {
                if (header == ErrPacket.HEADER) {
                    done(e, true);
                    return Part.END;
                }
                PayloadReader r = new PayloadReader(buf, offset, length);
                r.int1();
                lastPreparedStatementId = r.int4();
                prepareColumns = r.int2();
                int params = r.int2();
                if (params > 0) {
                    state = State.PREPARE_PARAMS;
                    remaining = params;
                } else {
                    prepareColumnsStart(e);
                }
            }
            case RESULT, RESULT_OR_CURSOR -> {
                if (header == ErrPacket.HEADER) {
                    done(e, true);
                    return Part.END;
                } else if (header == OkPacket.HEADER) {
                    OkPacket ok = OkPacket.decode(buf, offset, length);
                    statusFlags = ok.statusFlags();
                    rows += ok.affectedRows();
                    endOfResult(e);
                    return Part.END;
                } else if (header == 0xFB) {
                    throw new MalformedPacketException("the server asked for a LOCAL INFILE, which Veil never allows");
                } else {
                    remaining = new PayloadReader(buf, offset, length).lenenc();
                    if (remaining <= 0) {
                        throw new MalformedPacketException("result set with " + remaining + " columns");
                    }
                    state = State.COLUMNS;
                }
            }
        }
        return header == ErrPacket.HEADER ? Part.END : Part.OTHER;
    }

    private void afterColumns(Expectation e) {
        state = deprecateEof ? State.ROWS : State.COLUMNS_EOF;
    }

    private void prepareColumnsStart(Expectation e) {
        if (prepareColumns > 0) {
            state = State.PREPARE_COLUMNS;
            remaining = prepareColumns;
        } else {
            done(e, false);
        }
    }

    private Part rowsPacket(Expectation e, int header, Buffer buf, int offset, int length) {
        if (header == ErrPacket.HEADER) {
            done(e, true);
            return Part.END;
        } else if (isTerminator(header, length)) {
            statusFlags = okOrEofStatus(header, buf, offset, length);
            endOfResult(e);
            return Part.END;
        }
        rows++;
        return Part.ROW;
    }

    /** After an OK or a result set's terminator: another result follows when the server says so. */
    private void endOfResult(Expectation e) {
        if ((statusFlags & ServerStatus.MORE_RESULTS_EXISTS) != 0 && e.shape() != Shape.ROWS) {
            state = State.FIRST;
        } else {
            done(e, false);
        }
    }

    private boolean isTerminator(int header, int length) {
        // Under DEPRECATE_EOF the terminator is an OK packet with header 0xFE, which may carry session-state
        // data; a row can only start 0xFE with an 8-byte length, so any 0xFE packet shorter than that is it.
        return header == EofPacket.HEADER && (deprecateEof ? length < Packets.MAX_PAYLOAD && length < 0xFFFFFF : length < 9);
    }

    private int okOrEofStatus(int header, Buffer buf, int offset, int length) {
        if (header == EofPacket.HEADER && !deprecateEof) {
            return eofStatus(buf, offset, length);
        }
        return OkPacket.decode(buf, offset, length).statusFlags();
    }

    private static int eofStatus(Buffer buf, int offset, int length) {
        return length >= 5 ? buf.getUnsignedShortLE(offset + 3) : 0;
    }

    private void noteError(Buffer buf, int offset, int length) {
        if (length >= 3) {
            lastErrorCode = buf.getUnsignedShortLE(offset + 1);
            lastSqlState = length >= 9 && buf.getByte(offset + 3) == '#' ? buf.getString(offset + 4, offset + 9) : "HY000";
        }
    }

    private void done(Expectation e, boolean error) {
        queue.pollFirst();
        state = State.FIRST;
        long n = rows;
        rows = 0;
        listener.onResponseComplete(e.command(), error, statusFlags, n);
    }

    private static String errMessage(Buffer buf, int offset, int length) {
        return ErrPacket.decode(buf.getBuffer(offset, offset + length), true).message();
    }
}
