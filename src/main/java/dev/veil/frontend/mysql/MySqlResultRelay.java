package dev.veil.frontend.mysql;

import dev.veil.frontend.ClientOutput;
import dev.veil.error.VeilException;
import dev.veil.frontend.MaskedErrors;
import dev.veil.frontend.MaskingRewriter;
import dev.veil.frontend.ResultRelay;
import dev.veil.protocol.OwnedBytes;
import dev.veil.protocol.mysql.BinaryRow;
import dev.veil.protocol.mysql.ColumnDefinition;
import dev.veil.protocol.mysql.ErrPacket;
import dev.veil.protocol.mysql.Packets;
import dev.veil.protocol.mysql.RowPositions;
import dev.veil.protocol.mysql.TextRow;
import dev.veil.rewrite.ResultColumn;
import dev.veil.rewrite.ResultRewriter;
import dev.veil.rewrite.ResultRow;
import io.vertx.core.buffer.Buffer;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The MySQL result relay: every packet of a leased connection passes here on its way to the client. A
 * statement may bring a rewriter of its own for its answer (the flow's choice, asked as each answer begins);
 * otherwise the relay's is used. When a rewriter is set, the column definitions of a result set become its columns (told before the first row,
 * or at the end of a result without rows) and each row, text or binary protocol, its row; a changed row is
 * re-encoded with the same sequence id (length-encoded strings for text rows; NULL bitmap and per-type
 * encodings for binary ones). A row of 16 MB or more (several packets) is joined first; when the rewritten
 * row takes more or fewer packets, the sequence ids of the packets after it, up to the end of the answer,
 * are moved on in place so the client still sees them count up by one.
 *
 * <p>Masking ({@link MaskingRewriter}): a result the rewriter refuses sends none of its rows, an ERR takes the place
 * of its terminator, and nothing else of that answer follows (later result sets of a multi-statement text are
 * dropped: the client has seen the answer end). ERR messages of a masked answer are scrubbed of the values they
 * quote. The rows of a COM_STMT_FETCH come without column definitions: the statement's rewriter remembers the
 * columns of its COM_STMT_EXECUTE and they are told again (and their types decode the binary rows).
 */
final class MySqlResultRelay extends ResultRelay {
    /** Told when the server has answered one command completely. */
    interface Answers {
        void answered(boolean error, long rows);
    }

    private static final Buffer DROPPED = Buffer.buffer(0);
    private final BooleanSupplier binaryRows;
    private final Answers answers;
    /** The client negotiated MariaDB's extended metadata: column definitions carry their extra block. */
    private final boolean extendedMetadata;
    /** The rewriter of the statement whose answer begins, when it has one of its own (null: none). */
    private final Supplier<ResultRewriter> answerRewriter;
    /** A packet of the current answer has been relayed. */
    private boolean inAnswer;
    /** The rewriter in force before the current answer's own took over, restored when the answer ends. */
    private ResultRewriter before;
    private final List<ColumnDefinition> definitions = new ArrayList<>();
    /** Column definitions of a new result set are coming in; the rewriter has not been told yet. */
    private boolean collecting;
    private boolean binary;
    private int[] types = new int[0];
    /** Where the values of the row at hand lie in its packet (reused row after row). */
    private int[] starts = new int[0];
    private int[] lengths = new int[0];
    /** A row of 16 MB or more, arriving in several packets: joined, then rewritten once whole. */
    private Buffer joined;
    private int joinedSequence;
    /** Added to the sequence ids of the rest of the answer: packets a rewritten row took, less the server's. */
    private int renumber;
    /** The answer was refused in place of a result's end: the rest of it is dropped. */
    private boolean withheld;

    /** {@code binaryRows}: whether the answer being read is a binary protocol resultset. */
    MySqlResultRelay(ClientOutput out, BooleanSupplier binaryRows, Answers answers, Consumer<Throwable> lost) {
        this(out, binaryRows, answers, lost, false, () -> null);
    }

    /**
     * {@code extendedMetadata}: the connection negotiated MARIADB_CLIENT_EXTENDED_METADATA. {@code answerRewriter}:
     * asked as each answer begins, the statement's own rewriter for that answer, or null to keep the relay's.
     */
    MySqlResultRelay(ClientOutput out, BooleanSupplier binaryRows, Answers answers, Consumer<Throwable> lost,
                     boolean extendedMetadata, Supplier<ResultRewriter> answerRewriter) {
        super(out, lost);
        this.binaryRows = binaryRows;
        this.answers = answers;
        this.extendedMetadata = extendedMetadata;
        this.answerRewriter = answerRewriter;
    }

    @Override
    public void onColumns(Buffer buf, int start, int end) {
        beginAnswer();
        if (withheld) {
            return;
        }
        if (rewriting()) {
            if (!collecting) {
                collecting = true;
                definitions.clear();
                binary = binaryRows.getAsBoolean();
            }
            definitions.add(ColumnDefinition.decode(buf, start + 4, end - start - 4, extendedMetadata));
        }
        forward(buf, start, end);
    }

    @Override
    public void onRow(Buffer buf, int start, int end) {
        beginAnswer();
        if (!rewriting()) {
            forward(buf, start, end);
            return;
        }
        announceColumns();
        if (withheld || rewriter().refusal() != null) {
            renumber--; // refused: none of its rows go out; the packets after them are numbered on without them
            return;
        }
        int length = end - start - 4;
        if (joined == null && length < Packets.MAX_PAYLOAD) {
            Buffer inPlace = rewrittenInPlace(buf, start, end);
            if (inPlace != null) {
                send(inPlace, buf.length() - start);
                return;
            }
            Buffer payload = rewritten(buf, start + 4, length);
            if (payload == DROPPED) {
                renumber--;
                return;
            }
            if (payload == null) {
                forward(buf, start, end);
            } else {
                send(framed(buf.getUnsignedByte(start + 3), payload, 1));
            }
            return;
        }
        if (joined == null) {
            joined = Buffer.buffer();
            joinedSequence = buf.getUnsignedByte(start + 3);
        }
        joined.appendBuffer(buf, start + 4, length);
        if (length < Packets.MAX_PAYLOAD) {
            Buffer whole = joined;
            joined = null;
            Buffer payload = rewritten(whole, 0, whole.length());
            if (payload == DROPPED) {
                renumber -= Packets.packetCount(whole.length());
                return;
            }
            send(framed(joinedSequence, payload == null ? whole : payload, Packets.packetCount(whole.length())));
        }
    }

    @Override
    public void onResultEnd(Buffer buf, int start, int end, boolean error) {
        beginAnswer();
        if (withheld) {
            return;
        }
        if (rewriting()) {
            announceColumns();
            VeilException refusal = rewriter().refusal();
            rewriter().complete(error);
            if (refusal != null) {
                withheld = true;
                ErrPacket err = new ErrPacket(refusal.code().mysqlErrno(), refusal.code().mysqlSqlState(), refusal.getMessage());
                send(Packets.frame((buf.getUnsignedByte(start + 3) + renumber) & 0xFF, err.encode()));
                return;
            }
            if (error && rewriter() instanceof MaskingRewriter masking) {
                ErrPacket err = ErrPacket.decode(buf.slice(start + 4, end), true);
                ErrPacket scrubbed = new ErrPacket(err.errorCode(), err.sqlState(),
                        MaskedErrors.scrubMySql(err.message(), masking.plan().identifiers()));
                send(Packets.frame((buf.getUnsignedByte(start + 3) + renumber) & 0xFF, scrubbed.encode()));
                return;
            }
        }
        forward(buf, start, end);
    }

    @Override
    public void onPassThrough(Buffer buf, int start, int end) {
        beginAnswer();
        if (!withheld) {
            forward(buf, start, end);
        }
    }

    @Override
    public void onAnswered(boolean error, long rows) {
        renumber = 0;
        inAnswer = false;
        withheld = false;
        collecting = false;
        if (before != null) {
            rewriteWith(before);
            before = null;
        }
        answers.answered(error, rows);
    }

    /**
     * Moves the sequence ids of the next answer on by {@code by}: it follows packets Veil sent itself in the same
     * exchange (the OK of a KILL that began a multi-statement text). Called between answers.
     */
    void renumberNextAnswer(int by) {
        renumber = by;
    }

    /** At the first packet of an answer: the statement's own rewriter, if it has one, takes over until its end. */
    private void beginAnswer() {
        if (inAnswer) {
            return;
        }
        inAnswer = true;
        ResultRewriter own = answerRewriter.get();
        if (own != null) {
            before = rewriter();
            rewriteWith(own);
            if (own instanceof MaskingRewriter m && m.lastColumns() != null) {
                // COM_STMT_FETCH: rows of the columns its COM_STMT_EXECUTE described (definitions again would reset them).
                collecting = false;
                binary = binaryRows.getAsBoolean();
                types = m.lastColumns().stream().mapToInt(ResultColumn::typeId).toArray();
                m.resume();
            }
        }
    }

    /** Relays a packet as it came, but for its sequence id after a rewritten row that changed their count. */
    private void forward(Buffer buf, int start, int end) {
        if (renumber != 0) {
            buf.setByte(start + 3, (byte) (buf.getUnsignedByte(start + 3) + renumber));
        }
        pass(buf, start, end);
    }

    private void announceColumns() {
        if (!collecting) {
            return;
        }
        collecting = false;
        types = definitions.stream().mapToInt(ColumnDefinition::type).toArray();
        ResultColumn.Format format = binary ? ResultColumn.Format.BINARY : ResultColumn.Format.TEXT;
        rewriter().columns(definitions.stream().map(d -> ResultColumn.mysql(d.name(), d.type(), format, d.typeName(),
                d.columnLength(), d.flags(), d.characterSet(), d.decimals())).toList());
    }

    /**
     * The row's packet (one, below the 16 MB payload limit) with the rewriter's changes made where its values lie,
     * numbered on; null when the rewriter cannot change it so, and {@link #rewritten} does.
     */
    private Buffer rewrittenInPlace(Buffer buf, int start, int end) {
        byte[] packet = buf.getBytes(start, end);
        if (starts.length != types.length) {
            starts = new int[types.length];
            lengths = new int[types.length];
        }
        if (binary) {
            RowPositions.binary(packet, 4, types, starts, lengths);
        } else {
            RowPositions.text(packet, 4, starts, lengths);
        }
        if (!rewriter().rewriteInPlace(packet, starts, lengths)) {
            return null;
        }
        packet[3] = (byte) (buf.getUnsignedByte(start + 3) + renumber);
        return OwnedBytes.wrap(packet);
    }

    /** The payload of the row as the rewriter hands it back, or null when it left the row as it was. */
    private Buffer rewritten(Buffer buf, int offset, int length) {
        ResultRow row = ResultRow.of(binary ? BinaryRow.values(buf, offset, length, types) : TextRow.values(buf, offset, length));
        ResultRow sent = rewriter().row(row);
        if (sent == null) {
            return DROPPED;
        }
        if (sent == row) {
            return null;
        }
        return binary ? BinaryRow.encode(sent.values(), types) : TextRow.encode(sent.values());
    }

    /** The row's packets, numbered on from the server's; {@code packets}: how many the server sent for it. */
    private Buffer framed(int sequence, Buffer payload, int packets) {
        Buffer framed = Packets.frame((sequence + renumber) & 0xFF, payload);
        renumber += Packets.packetCount(payload.length()) - packets;
        return framed;
    }
}
