package dev.veil.testing;

import io.vertx.core.buffer.Buffer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * How a socket may hand a byte stream to a decoder: in one read, or cut anywhere into reads of a few bytes to a
 * few hundred. The cuts are drawn from the bytes themselves, so one input is always cut the same way (a fuzz
 * finding replays exactly) while different inputs are cut differently. Each read is a buffer of its own, as
 * Vert.x hands them over.
 */
public final class SocketChunks {
    private SocketChunks() {
    }

    public static List<Buffer> whole(byte[] stream) {
        return List.of(Buffer.buffer(stream));
    }

    public static List<Buffer> pieces(byte[] stream) {
        Random cuts = new Random(Arrays.hashCode(stream));
        List<Buffer> out = new ArrayList<>();
        int pos = 0;
        while (pos < stream.length) {
            // Mostly tiny reads (a header cut in two), sometimes a larger one spanning several messages.
            int size = cuts.nextInt(4) == 0 ? 1 + cuts.nextInt(300) : 1 + cuts.nextInt(6);
            int end = Math.min(stream.length, pos + size);
            out.add(Buffer.buffer(Arrays.copyOfRange(stream, pos, end)));
            pos = end;
        }
        return out;
    }
}
