package dev.veil.audit;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads the records of an audit directory in chain order, streaming (files are read line by line),
 * skipping files that end before the time range. Lines that are not records (a torn tail) are skipped:
 * {@code veil audit verify} is the tool that reports them.
 */
public final class AuditSearch {
    private final AuditCodec codec = new AuditCodec();
    private final Path directory;

    public AuditSearch(Path directory) {
        this.directory = directory;
    }

    /** Calls {@code out} with each matching record (raw line and parsed JSON), up to the query's limit. */
    public int scan(AuditQuery q, Consumer<Match> out) throws IOException {
        int n = 0;
        List<Path> files = Files.isDirectory(directory) ? FileAuditSink.files(directory) : List.of();
        for (int i = 0; i < files.size() && n < q.limit(); i++) {
            // The next file's name starts with its creation time: a file started after "to" holds nothing in range.
            if (q.to() != null && startsAfter(files.get(i), q)) {
                break;
            }
            try (BufferedReader r = Files.newBufferedReader(files.get(i), StandardCharsets.UTF_8)) {
                String line;
                while ((line = r.readLine()) != null && n < q.limit()) {
                    JsonNode json;
                    try {
                        json = codec.parse(line).json();
                    } catch (IllegalArgumentException e) {
                        continue;
                    }
                    if (q.matches(json)) {
                        out.accept(new Match(line, json));
                        n++;
                    }
                }
            }
        }
        return n;
    }

    public List<Match> find(AuditQuery q) throws IOException {
        List<Match> out = new ArrayList<>();
        scan(q, out::add);
        return out;
    }

    private static boolean startsAfter(Path file, AuditQuery q) {
        String name = file.getFileName().toString();
        try {
            String stamp = name.substring(FileAuditSink.PREFIX.length(), FileAuditSink.PREFIX.length() + 16);
            java.time.Instant start = java.time.LocalDateTime.parse(stamp, java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'"))
                    .toInstant(java.time.ZoneOffset.UTC);
            return !start.isBefore(q.to());
        } catch (RuntimeException e) {
            return false;
        }
    }

    public record Match(String line, JsonNode json) {
    }
}
