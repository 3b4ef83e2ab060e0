package dev.veil.audit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
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
 * {@code \n} ends a line, so a file cut inside a record shows as a torn last line.
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
                    if (!out.accept(new Entry(name, no, name + ":" + no, l.text(), l.torn(), null))) {
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

    /** Splits a stream at {@code \n} (a {@code \r} before it is dropped) and says whether the last line was cut. */
    private static final class LineScanner {
        record Line(String text, boolean torn) {
        }

        private final InputStream in;
        private final byte[] buffer = new byte[64 * 1024];
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
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
                        return new Line(take(true), false);
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
                    return len == 0 ? null : new Line(new String(b, 0, len, StandardCharsets.UTF_8), true);
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

        private String take(boolean complete) {
            byte[] b = pending.toByteArray();
            pending.reset();
            int len = complete && b.length > 0 && b[b.length - 1] == '\r' ? b.length - 1 : b.length;
            return new String(b, 0, len, StandardCharsets.UTF_8);
        }
    }
}
