package dev.veil.audit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * The audit files of one directory, in name order (which is chain order), streamed line by line. Only
 * {@code \n} ends a line, so a file cut inside a record shows as a torn last line. A line is handed over
 * with every byte it holds (a {@code \r} before its {@code \n} too), decoded strictly: the verifier checks
 * the bytes as stored, not a tidied copy of them.
 */
public final class DirectoryAuditSource implements AuditSource {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

    private final Path directory;

    public DirectoryAuditSource(Path directory) {
        this.directory = directory;
    }

    public Path directory() {
        return directory;
    }

    @Override
    public String name() {
        return directory.toAbsolutePath().toString();
    }

    @Override
    public long read(AuditQuery hint, Reader out) throws IOException {
        List<Path> files = Files.isDirectory(directory) ? FileAuditSink.files(directory) : List.of();
        long segments = 0;
        for (Path file : files) {
            // A file's name starts with its creation time: a file started at or after "to" holds nothing in range.
            if (hint.to() != null && startsAtOrAfter(file, hint.to())) {
                break;
            }
            segments++;
            String name = file.getFileName().toString();
            try (InputStream in = Files.newInputStream(file)) {
                LineScanner lines = new LineScanner(in);
                long no = 0;
                for (LineScanner.Line l = lines.next(); l != null; l = lines.next()) {
                    no++;
                    if (!out.accept(new Entry(name, no, name + ":" + no, l.text(), l.torn(), null, l.invalidByte()))) {
                        return segments;
                    }
                }
            }
        }
        return segments;
    }

    private static boolean startsAtOrAfter(Path file, Instant to) {
        String name = file.getFileName().toString();
        try {
            String stamp = name.substring(FileAuditSink.PREFIX.length(), FileAuditSink.PREFIX.length() + 16);
            return !LocalDateTime.parse(stamp, STAMP).toInstant(ZoneOffset.UTC).isBefore(to);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Splits a stream at {@code \n} and says whether the last line was cut. */
    private static final class LineScanner {
        /** {@code invalidByte}: the offset of the line's first byte that is not UTF-8, or -1. */
        record Line(String text, boolean torn, long invalidByte) {
        }

        private final InputStream in;
        private final byte[] buffer = new byte[64 * 1024];
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
        private final CharsetDecoder strict = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        private int pos;
        private int limit;
        private boolean eof;

        LineScanner(InputStream in) {
            this.in = in;
        }

        Line next() throws IOException {
            while (true) {
                for (int i = pos; i < limit; i++) {
                    if (buffer[i] == '\n') {
                        pending.write(buffer, pos, i - pos);
                        pos = i + 1;
                        byte[] b = pending.toByteArray();
                        pending.reset();
                        return line(b, b.length, false);
                    }
                }
                pending.write(buffer, pos, limit - pos);
                pos = limit;
                if (eof) {
                    // Zero bytes at the end are space the sink preallocated (a live file, or one a crash left).
                    byte[] b = pending.toByteArray();
                    pending.reset();
                    int len = b.length;
                    while (len > 0 && b[len - 1] == 0) {
                        len--;
                    }
                    return len == 0 ? null : line(b, len, true);
                }
                int n = in.read(buffer);
                if (n < 0) {
                    eof = true;
                } else {
                    pos = 0;
                    limit = n;
                }
            }
        }

        /**
         * The bytes as text. Bytes that are not UTF-8 would decode to U+FFFD, which encodes back to other bytes
         * than those stored (an edit that a hash of the decoded text would not see): where the first one is
         * goes with the line.
         */
        private Line line(byte[] b, int len, boolean torn) {
            ByteBuffer bytes = ByteBuffer.wrap(b, 0, len);
            try {
                return new Line(strict.decode(bytes).toString(), torn, -1);
            } catch (CharacterCodingException e) {
                // decode leaves the buffer at the start of the malformed input
                return new Line(new String(b, 0, len, StandardCharsets.UTF_8), torn, bytes.position());
            }
        }
    }
}
