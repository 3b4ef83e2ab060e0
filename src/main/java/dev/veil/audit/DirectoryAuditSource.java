package dev.veil.audit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The audit files of one directory, streamed line by line ({@link AuditFileLines}): in name order, which is
 * chain order, or newest first (the files in reverse, each read from its end). A file's name carries its
 * creation time and its first seq, so files that cannot hold a record in a query's time or seq range are not
 * read.
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
        List<Path> wanted = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            Path next = i + 1 < files.size() ? files.get(i + 1) : null;
            if (mayHold(files.get(i), next, hint)) {
                wanted.add(files.get(i));
            }
        }
        boolean newestFirst = hint.order() == AuditQuery.Order.NEWEST_FIRST;
        if (newestFirst) {
            Collections.reverse(wanted);
        }
        AuditFileLines lines = new AuditFileLines();
        long segments = 0;
        for (Path file : wanted) {
            segments++;
            String name = file.getFileName().toString();
            AuditFileLines.Reader each = l -> out.accept(new Entry(name, l.number(), name + ":" + l.number(), l.text(), l.torn(),
                    null, l.invalidByte()));
            if (!(newestFirst ? lines.backward(file, each) : lines.forward(file, each))) {
                break;
            }
        }
        return segments;
    }

    /**
     * False when a file cannot hold a record the query wants: it was started at or after the range's end, it
     * starts at or after the seq the query reads before, or the file after it starts at or before the first seq
     * the query reads after. A name that does not say (not written by Veil) is read.
     */
    private static boolean mayHold(Path file, Path next, AuditQuery q) {
        if (q.to() != null && startsAtOrAfter(file, q.to())) {
            return false;
        }
        Long first = firstSeq(file);
        if (q.beforeSeq() != null && first != null && first >= q.beforeSeq()) {
            return false;
        }
        Long nextFirst = next == null ? null : firstSeq(next);
        return q.afterSeq() == null || nextFirst == null || nextFirst > q.afterSeq() + 1;
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

    /** The seq a file's name says it starts with ({@code audit-<time>-<first seq>.jsonl}), or null. */
    static Long firstSeq(Path file) {
        String name = file.getFileName().toString();
        int dash = name.lastIndexOf('-');
        try {
            return Long.parseLong(name.substring(dash + 1, name.length() - FileAuditSink.SUFFIX.length()));
        } catch (RuntimeException e) {
            return null;
        }
    }
}
