package dev.veil.audit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The lines of one audit file as stored, first to last or last to first. Only {@code \n} ends a line, so a
 * file cut inside a record shows as a torn last line; zero bytes after the last line are space the sink
 * preallocated (a live file, or one a crash left) and are no line. A line is handed over with every byte it
 * holds (a {@code \r} before its {@code \n} too), decoded strictly: the verifier checks the bytes as stored,
 * not a tidied copy of them.
 */
final class AuditFileLines {
    /** {@code number} counts from 1; {@code invalidByte}: the offset of the line's first byte that is not UTF-8, or -1. */
    record Line(long number, String text, boolean torn, long invalidByte) {
    }

    interface Reader {
        /** False: no more lines are wanted. */
        boolean accept(Line line) throws IOException;
    }

    private static final int BLOCK = 64 * 1024;

    private final CharsetDecoder strict = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);

    /** Streams the lines first to last; false when {@code out} wanted no more. */
    boolean forward(Path file, Reader out) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[BLOCK];
            ByteArrayOutputStream pending = new ByteArrayOutputStream();
            long number = 0;
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                int from = 0;
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        pending.write(buffer, from, i - from);
                        from = i + 1;
                        byte[] b = pending.toByteArray();
                        pending.reset();
                        if (!out.accept(line(++number, b, b.length, false))) {
                            return false;
                        }
                    }
                }
                pending.write(buffer, from, n - from);
            }
            byte[] b = pending.toByteArray();
            int len = withoutZeroTail(b, b.length);
            return len == 0 || out.accept(line(++number, b, len, true));
        }
    }

    /**
     * Hands over the lines last to first. One pass notes where each line starts (a long per line), then each
     * line is read on its own, so memory stays flat however large the file.
     */
    boolean backward(Path file, Reader out) throws IOException {
        try (SeekableByteChannel ch = Files.newByteChannel(file)) {
            long[] starts = new long[1024];
            int lines = 1; // starts[0] = 0: the first line starts at the beginning
            long lastNonZero = -1;
            long lastNewline = -1;
            ByteBuffer block = ByteBuffer.allocate(BLOCK);
            long at = 0;
            for (int n = ch.read(block); n >= 0; n = ch.read(block)) {
                byte[] b = block.array();
                for (int i = 0; i < n; i++) {
                    if (b[i] == '\n') {
                        lastNewline = at + i;
                        if (lines == starts.length) {
                            starts = Arrays.copyOf(starts, lines * 2);
                        }
                        starts[lines++] = at + i + 1;
                    }
                    if (b[i] != 0) {
                        lastNonZero = at + i;
                    }
                }
                at += n;
                block.clear();
            }
            // starts[lines - 1] begins what follows the last \n: a torn line, zeros, or nothing.
            long number = lines;
            if (lastNonZero > lastNewline) {
                byte[] b = read(ch, lastNewline + 1, (int) (lastNonZero - lastNewline));
                if (!out.accept(line(number, b, withoutZeroTail(b, b.length), true))) {
                    return false;
                }
            }
            for (int k = lines - 2; k >= 0; k--) {
                byte[] b = read(ch, starts[k], (int) (starts[k + 1] - 1 - starts[k]));
                if (!out.accept(line(k + 1, b, b.length, false))) {
                    return false;
                }
            }
            return true;
        }
    }

    private static byte[] read(SeekableByteChannel ch, long position, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        ch.position(position);
        while (b.hasRemaining() && ch.read(b) >= 0) {
            // until the line is in
        }
        return b.array();
    }

    private static int withoutZeroTail(byte[] b, int len) {
        while (len > 0 && b[len - 1] == 0) {
            len--;
        }
        return len;
    }

    /**
     * The bytes as text. Bytes that are not UTF-8 would decode to U+FFFD, which encodes back to other bytes than
     * those stored (an edit that a hash of the decoded text would not see): where the first one is goes with the line.
     */
    private Line line(long number, byte[] b, int len, boolean torn) {
        ByteBuffer bytes = ByteBuffer.wrap(b, 0, len);
        try {
            return new Line(number, strict.decode(bytes).toString(), torn, -1);
        } catch (CharacterCodingException e) {
            // decode leaves the buffer at the start of the malformed input
            return new Line(number, new String(b, 0, len, StandardCharsets.UTF_8), torn, bytes.position());
        }
    }
}
