package dev.veil.frontend;

import dev.veil.protocol.SliceBatch;
import dev.veil.rewrite.ResultRewriter;
import dev.veil.upstream.ResultListener;
import io.vertx.core.buffer.Buffer;

import java.util.function.Consumer;

/**
 * Between a leased server connection and its client, the part of the result relay both dialects share.
 * Messages that go out as the server sent them are gathered into one write per read: slices of the read
 * buffer, or the buffer itself when the read was only whole messages, never a copy. A row the
 * {@link ResultRewriter} changed is encoded by the dialect's relay and written in its place. With
 * {@link ResultRewriter#NONE} (the only rewriter until masking) the dialect relays decode nothing.
 */
public abstract class ResultRelay implements ResultListener {
    private final ClientOutput out;
    private final Consumer<Buffer> write;
    private final Consumer<Throwable> lost;
    private final SliceBatch batch = new SliceBatch();
    /** Rewritten messages gathered since the last write. */
    private Buffer made;
    private static final int MADE_BYTES = 64 * 1024;
    private static final int MADE_START_BYTES = 8 * 1024;
    private ResultRewriter rewriter = ResultRewriter.NONE;

    /** {@code lost}: what the client connection does when its server connection breaks. */
    protected ResultRelay(ClientOutput out, Consumer<Throwable> lost) {
        this.out = out;
        this.write = out::write;
        this.lost = lost;
    }

    /** The rewriter of the results from now on (the statement pipeline's choice; null means none). */
    public void rewriteWith(ResultRewriter next) {
        rewriter = next == null ? ResultRewriter.NONE : next;
    }

    protected final ResultRewriter rewriter() {
        return rewriter;
    }

    /** True when results must be decoded for a rewriter; false on the copy-free path. */
    protected final boolean rewriting() {
        return rewriter != ResultRewriter.NONE;
    }

    /** Relays {@code buf[start, end)} as it came. */
    protected final void pass(Buffer buf, int start, int end) {
        writeMade();
        batch.add(buf, start, end, write);
    }

    /**
     * Sends a message of the relay's own making (a rewritten row) in the place of the one it replaces. Such
     * messages are gathered too, up to {@link #MADE_BYTES}, and written with the rest of the read: one write per
     * masked row cost a system call each and made a masked result ten times slower than a clear one.
     * {@code restOfRead}: the bytes of the server's read from the replaced message to its end, what the gathered
     * messages of this read will about come to (a rewritten row is about as long as the server's): the buffer
     * is made that large at once instead of grown copy by copy.
     */
    protected final void send(Buffer message, int restOfRead) {
        batch.flush(write);
        if (made == null) {
            made = Buffer.buffer(Math.min(MADE_BYTES, Math.max(MADE_START_BYTES, Math.max(restOfRead, message.length()) + 256)));
        }
        made.appendBuffer(message);
        if (made.length() >= MADE_BYTES) {
            writeMade();
        }
    }

    /** {@link #send(Buffer, int)} without a hint of what follows. */
    protected final void send(Buffer message) {
        send(message, message.length() * 8);
    }

    private void writeMade() {
        if (made != null) {
            Buffer m = made;
            made = null;
            out.write(m);
        }
    }

    /** Sends what was gathered: due before the client connection writes anything of its own. */
    public final void flush() {
        // At most one of the two holds anything: each is written out before the other gathers.
        batch.flush(write);
        writeMade();
    }

    @Override
    public void onReadComplete() {
        flush();
        out.afterServerRead();
    }

    @Override
    public void onServerLost(Throwable cause) {
        flush();
        lost.accept(cause);
    }
}
