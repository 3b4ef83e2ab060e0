package dev.veil.frontend.pg;

import dev.veil.frontend.ClientOutput;
import dev.veil.frontend.ResultRelay;
import dev.veil.protocol.pg.PgFrame;
import dev.veil.rewrite.ResultRewriter;
import io.vertx.core.buffer.Buffer;

import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The PostgreSQL result relay: every backend message of a leased connection passes here on its way to the
 * client. The statement flow sees each frame just before it goes out (a refusal owed before ReadyForQuery
 * is sent then) and just after (rows, tags and errors complete the audit records). The flow also says what
 * each frame becomes ({@code rewrites}): the statement whose answer it is may mask it ({@link PgResultMask});
 * without masking the frame goes out as the server's bytes, uncopied. A rewriter set with {@link #rewriteWith}
 * applies to every result from then on (for tests of the relay alone).
 */
final class PgResultRelay extends ResultRelay {
    /** What a frame becomes on its way to the client. */
    interface Rewrites {
        /** Null: the frame as it came; else the bytes to send in its place (empty: nothing). */
        Buffer rewrite(PgFrame frame);
    }

    private final Consumer<PgFrame> before;
    private final Consumer<PgFrame> after;
    private final Predicate<PgFrame> held;
    private final Rewrites rewrites;
    private PgResultMask all;

    /** {@code before} / {@code after}: told of each frame just before / after it is relayed; every frame is relayed. */
    PgResultRelay(ClientOutput out, Consumer<PgFrame> before, Consumer<PgFrame> after, Consumer<Throwable> lost) {
        this(out, before, after, frame -> false, lost, frame -> null);
    }

    /**
     * {@code before} / {@code after}: told of each frame just before / after it is relayed; {@code held}: true for a
     * frame the statement flow keeps from the client (the answers of Veil's own commands, an answer held until
     * its rows are counted), which is then not relayed (nor rewritten: the flow sends it later, masked as it
     * would have been); {@code rewrites}: what each frame becomes.
     */
    PgResultRelay(ClientOutput out, Consumer<PgFrame> before, Consumer<PgFrame> after, Predicate<PgFrame> held,
                  Consumer<Throwable> lost, Rewrites rewrites) {
        super(out, lost);
        this.before = before;
        this.after = after;
        this.held = held;
        this.rewrites = rewrites;
    }

    @Override
    public void rewriteWith(ResultRewriter next) {
        super.rewriteWith(next);
        all = rewriting() ? new PgResultMask(rewriter(), false, null) : null;
    }

    @Override
    public void onColumns(Buffer buf, int start, int end) {
        relay(frame(buf, start, end));
    }

    @Override
    public void onRow(Buffer buf, int start, int end) {
        relay(frame(buf, start, end));
    }

    @Override
    public void onResultEnd(Buffer buf, int start, int end, boolean error) {
        relay(frame(buf, start, end));
    }

    @Override
    public void onPassThrough(Buffer buf, int start, int end) {
        relay(frame(buf, start, end));
    }

    private void relay(PgFrame frame) {
        before.accept(frame);
        if (!held.test(frame)) {
            Buffer replaced = all != null ? all.rewrite(frame) : rewrites.rewrite(frame);
            if (replaced == null) {
                pass(frame.source(), frame.start(), frame.end());
            } else if (replaced.length() > 0) {
                send(replaced, frame.source().length() - frame.start());
            }
        }
        after.accept(frame);
    }

    private static PgFrame frame(Buffer buf, int start, int end) {
        return new PgFrame(buf.getByte(start), buf, start, end);
    }
}
