package dev.veil.protocol.mysql;

import io.vertx.core.buffer.Buffer;

import java.util.ArrayDeque;

/**
 * Follows the server's answers to the commands sent on one connection, packet by packet, to know where
 * each answer ends (dev.mysql.com "COM_QUERY Response", "COM_STMT_PREPARE Response", "Binary Protocol
 * Resultset", "COM_STMT_FETCH"). Answers are relayed untouched; this only reads headers, so the gateway
 * knows when the connection is between commands, whether a transaction is open, and how many rows went by.
 *
 * <p>Commands may be pipelined (MariaDB Connector/J sends COM_STMT_PREPARE and COM_STMT_EXECUTE back to
 * back), so expectations queue up in the order the commands were sent.
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
     * and carry no header of their own.
     *
     * @throws MalformedPacketException if the server sends what no pending command can explain
     */
    public void onPacket(Buffer buf, int offset, int length) {
        boolean wasContinuation = continuation;
        continuation = length == Packets.MAX_PAYLOAD;
        if (wasContinuation) {
            return;
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
        switch (state) {
            case FIRST -> first(e, header, buf, offset, length);
            case COLUMNS -> {
                if (--remaining == 0) {
                    afterColumns(e);
                }
            }
            case COLUMNS_EOF -> {
                if (header == ErrPacket.HEADER) {
                    done(e, true);
                } else {
                    int status = eofStatus(buf, offset, length);
                    if (e.shape() == Shape.RESULT_OR_CURSOR && (status & ServerStatus.CURSOR_EXISTS) != 0) {
                        statusFlags = status;
                        done(e, false);
                    } else {
                        state = State.ROWS;
                    }
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
            }
            case PREPARE_PARAMS_EOF -> prepareColumnsStart(e);
            case PREPARE_COLUMNS -> {
                if (--remaining == 0) {
                    if (deprecateEof) {
                        done(e, false);
                    } else {
                        state = State.PREPARE_COLUMNS_EOF;
                    }
                }
            }
            case PREPARE_COLUMNS_EOF -> done(e, false);
        }
    }

    private void first(Expectation e, int header, Buffer buf, int offset, int length) {
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
            case ROWS -> rowsPacket(e, header, buf, offset, length);
            case PREPARE -> {
                if (header == ErrPacket.HEADER) {
                    done(e, true);
                    return;
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
                } else if (header == OkPacket.HEADER) {
                    OkPacket ok = OkPacket.decode(buf, offset, length);
                    statusFlags = ok.statusFlags();
                    rows += ok.affectedRows();
                    endOfResult(e);
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

    private void rowsPacket(Expectation e, int header, Buffer buf, int offset, int length) {
        if (header == ErrPacket.HEADER) {
            done(e, true);
        } else if (isTerminator(header, length)) {
            statusFlags = okOrEofStatus(header, buf, offset, length);
            endOfResult(e);
        } else {
            rows++;
        }
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
