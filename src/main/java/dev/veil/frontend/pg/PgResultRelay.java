package dev.veil.frontend.pg;

import dev.veil.frontend.ClientOutput;
import dev.veil.frontend.ResultRelay;
import dev.veil.protocol.pg.DataRow;
import dev.veil.protocol.pg.PgFrame;
import dev.veil.protocol.pg.RowDescription;
import dev.veil.rewrite.ResultColumn;
import dev.veil.rewrite.ResultRow;
import io.vertx.core.buffer.Buffer;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The PostgreSQL result relay: every backend message of a leased connection passes here on its way to the
 * client. The statement flow sees each frame just before it goes out (a refusal owed before ReadyForQuery
 * is sent then) and just after (rows, tags and errors complete the audit records). When a rewriter is set,
 * a RowDescription becomes its columns and a DataRow its row; a changed row is re-encoded (each value's
 * Int32 length follows its new bytes).
 *
 * <p>Not yet for a rewriter: an Execute of a statement described earlier brings DataRows without a
 * RowDescription (the rewriter keeps the columns it was last given), and their formats come from the Bind.
 */
final class PgResultRelay extends ResultRelay {
    private final Consumer<PgFrame> before;
    private final Consumer<PgFrame> after;
    private final Predicate<PgFrame> held;

    /** {@code before} / {@code after}: told of each frame just before / after it is relayed; every frame is relayed. */
    PgResultRelay(ClientOutput out, Consumer<PgFrame> before, Consumer<PgFrame> after, Consumer<Throwable> lost) {
        this(out, before, after, frame -> false, lost);
    }

    /**
     * {@code before} / {@code after}: told of each frame just before / after it is relayed; {@code held}: true for a
     * frame the statement flow keeps from the client (the answers of Veil's own commands, an answer held until
     * its rows are counted), which is then not relayed (nor rewritten: the flow sends it later as it came).
     */
    PgResultRelay(ClientOutput out, Consumer<PgFrame> before, Consumer<PgFrame> after, Predicate<PgFrame> held,
                  Consumer<Throwable> lost) {
        super(out, lost);
        this.before = before;
        this.after = after;
        this.held = held;
    }

    @Override
    public void onColumns(Buffer buf, int start, int end) {
        PgFrame frame = frame(buf, start, end);
        if (rewriting()) {
            rewriter().columns(columns(RowDescription.decode(frame)));
        }
        relay(frame);
    }

    @Override
    public void onRow(Buffer buf, int start, int end) {
        PgFrame frame = frame(buf, start, end);
        before.accept(frame);
        if (held.test(frame)) {
            after.accept(frame);
            return;
        }
        if (rewriting()) {
            ResultRow row = ResultRow.of(DataRow.values(frame));
            ResultRow sent = rewriter().row(row);
            if (sent == row) {
                pass(buf, start, end);
            } else {
                send(DataRow.encode(sent.values()));
            }
        } else {
            pass(buf, start, end);
        }
        after.accept(frame);
    }

    @Override
    public void onResultEnd(Buffer buf, int start, int end, boolean error) {
        if (rewriting()) {
            rewriter().complete(error);
        }
        relay(frame(buf, start, end));
    }

    @Override
    public void onPassThrough(Buffer buf, int start, int end) {
        relay(frame(buf, start, end));
    }

    private void relay(PgFrame frame) {
        before.accept(frame);
        if (!held.test(frame)) {
            pass(frame.source(), frame.start(), frame.end());
        }
        after.accept(frame);
    }

    private static PgFrame frame(Buffer buf, int start, int end) {
        return new PgFrame(buf.getByte(start), buf, start, end);
    }

    private static List<ResultColumn> columns(RowDescription description) {
        return description.fields().stream().map(f -> new ResultColumn(f.name(), f.typeOid(),
                f.binary() ? ResultColumn.Format.BINARY : ResultColumn.Format.TEXT)).toList();
    }
}
