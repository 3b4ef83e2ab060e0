package dev.veil.testing;

import dev.veil.frontend.ClientOutput;
import dev.veil.upstream.ResultListener;
import io.vertx.core.buffer.Buffer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The client's side of a result relay in a test: every buffer written to the client, in order, and the
 * buffers the server's messages were delivered in, so a test can tell a forwarded window from a copy.
 */
public final class RelayCapture implements ClientOutput {
    private final List<Buffer> writes = new ArrayList<>();
    private final Set<Buffer> delivered = Collections.newSetFromMap(new IdentityHashMap<>());
    private int reads;
    private int messages;

    @Override
    public void write(Buffer bytes) {
        writes.add(bytes);
    }

    @Override
    public void afterServerRead() {
        reads++;
    }

    public List<Buffer> writes() {
        return writes;
    }

    public int reads() {
        return reads;
    }

    /** Messages delivered to the relay so far. */
    public int messages() {
        return messages;
    }

    /** The bytes cut at {@code cuts} (ascending), empty pieces left out as the network never delivers them. */
    public static List<Buffer> cut(Buffer bytes, int... cuts) {
        List<Buffer> reads = new ArrayList<>();
        int from = 0;
        for (int c : cuts) {
            if (c > from) {
                reads.add(bytes.getBuffer(from, c));
                from = c;
            }
        }
        if (from < bytes.length()) {
            reads.add(bytes.getBuffer(from, bytes.length()));
        }
        return reads;
    }

    /** Everything the client received, joined. */
    public byte[] received() {
        Buffer all = Buffer.buffer();
        writes.forEach(all::appendBuffer);
        return all.getBytes();
    }

    /** The listener the server connection would call: remembers each message's buffer, then hands it on. */
    public ResultListener watching(ResultListener relay) {
        return new ResultListener() {
            @Override
            public void onColumns(Buffer buf, int start, int end) {
                delivered.add(buf);
                messages++;
                relay.onColumns(buf, start, end);
            }

            @Override
            public void onRow(Buffer buf, int start, int end) {
                delivered.add(buf);
                messages++;
                relay.onRow(buf, start, end);
            }

            @Override
            public void onResultEnd(Buffer buf, int start, int end, boolean error) {
                delivered.add(buf);
                messages++;
                relay.onResultEnd(buf, start, end, error);
            }

            @Override
            public void onPassThrough(Buffer buf, int start, int end) {
                delivered.add(buf);
                messages++;
                relay.onPassThrough(buf, start, end);
            }

            @Override
            public void onAnswered(boolean error, long rows) {
                relay.onAnswered(error, rows);
            }

            @Override
            public void onReadComplete() {
                relay.onReadComplete();
            }

            @Override
            public void onServerLost(Throwable cause) {
                relay.onServerLost(cause);
            }
        };
    }

    /**
     * Every write is a buffer a message was delivered in, or a window of one sharing its memory: the relay
     * copied nothing.
     */
    public void assertNothingCopied() {
        assertThat(writes).isNotEmpty();
        for (Buffer w : writes) {
            assertThat(delivered.stream().anyMatch(d -> d == w || sameMemory(d, w)))
                    .as("write of %d bytes is a window of a delivered buffer", w.length()).isTrue();
        }
    }

    private static boolean sameMemory(Buffer a, Buffer b) {
        return a.getByteBuf().hasArray() && b.getByteBuf().hasArray() && a.getByteBuf().array() == b.getByteBuf().array();
    }
}
