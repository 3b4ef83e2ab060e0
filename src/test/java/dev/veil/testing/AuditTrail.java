package dev.veil.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.audit.AuditCodec;
import dev.veil.audit.FileAuditSink;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Reads the audit files the in-process Veil writes, for assertions on real traffic. */
public final class AuditTrail {
    private final Path directory;
    private final AuditCodec codec = new AuditCodec();

    public AuditTrail(Path directory) {
        this.directory = directory;
    }

    public static AuditTrail ofTestVeil() {
        return new AuditTrail(VeilTestResource.auditDirectory());
    }

    /** Every complete record, in chain order. */
    public List<JsonNode> records() throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (Path f : FileAuditSink.files(directory)) {
            String all = Files.readString(f, StandardCharsets.UTF_8);
            int end = all.lastIndexOf('\n');
            if (end < 0) {
                continue;
            }
            for (String line : all.substring(0, end).split("\n")) {
                out.add(codec.parse(line).json());
            }
        }
        return out;
    }

    public List<JsonNode> records(Predicate<JsonNode> filter) throws IOException {
        return records().stream().filter(filter).toList();
    }

    /** Waits (at most 20 s) until the filter matches at least {@code n} records, and returns them. */
    public List<JsonNode> await(Predicate<JsonNode> filter, int n) throws Exception {
        List<JsonNode> found = List.of();
        for (int i = 0; i < 200; i++) {
            found = records(filter);
            if (found.size() >= n) {
                return found;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("expected at least " + n + " matching audit records within 20 s, found " + found.size() + ": " + found);
    }

    public static Predicate<JsonNode> type(String type) {
        return j -> type.equals(j.path("type").asText());
    }

    public static Predicate<JsonNode> session(long id) {
        return j -> j.path("sessionId").asLong(-1) == id;
    }

    public Path directory() {
        return directory;
    }
}
