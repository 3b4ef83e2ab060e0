package dev.veil.audit;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads the records of an audit source in the query's order (chain order or newest first), streaming, and
 * keeps those that match it, up to its limit. The
 * source may skip what cannot match (files started after the range, rows outside it); every line it hands
 * over is still parsed and filtered here, so all sources answer alike. Lines that are not records (a torn
 * tail) are skipped: {@code veil audit verify} is the tool that reports them.
 */
public final class AuditSearch {
    private final AuditCodec codec = new AuditCodec();
    private final AuditSource source;

    public AuditSearch(AuditSource source) {
        this.source = source;
    }

    public AuditSearch(Path directory) {
        this(new DirectoryAuditSource(directory));
    }

    /** Calls {@code out} with each matching record (raw line and parsed JSON), up to the query's limit. */
    public int scan(AuditQuery q, Consumer<Match> out) throws IOException {
        int[] n = {0};
        if (q.limit() <= 0) {
            return 0;
        }
        source.read(q, e -> {
            if (e.torn()) {
                return true;
            }
            JsonNode json;
            try {
                json = codec.parse(e.text()).json();
            } catch (IllegalArgumentException notARecord) {
                return true;
            }
            if (q.matches(json)) {
                out.accept(new Match(e.text(), json));
                n[0]++;
            }
            return n[0] < q.limit();
        });
        return n[0];
    }

    public List<Match> find(AuditQuery q) throws IOException {
        List<Match> out = new ArrayList<>();
        scan(q, out::add);
        return out;
    }

    /**
     * The whole source as one stream: its records and their seq and time range (of the records whose time can be
     * read), or null when it holds none. For
     * files, which hold one chain; the audit table tells its streams apart itself ({@link AuditTable#streams()}).
     */
    public AuditTable.Stream extent(String name) throws IOException {
        long[] records = {0};
        long[] seq = {Long.MAX_VALUE, Long.MIN_VALUE};
        Instant[] time = {null, null};
        scan(AuditQuery.all(), m -> {
            records[0]++;
            long n = m.json().path("seq").asLong();
            seq[0] = Math.min(seq[0], n);
            seq[1] = Math.max(seq[1], n);
            Instant t = AuditQuery.timeOf(m.json());
            if (t != null) {
                time[0] = time[0] == null || t.isBefore(time[0]) ? t : time[0];
                time[1] = time[1] == null || t.isAfter(time[1]) ? t : time[1];
            }
        });
        return records[0] == 0 ? null : new AuditTable.Stream(name, records[0], seq[0], seq[1], time[0], time[1]);
    }

    public record Match(String line, JsonNode json) {
    }
}
