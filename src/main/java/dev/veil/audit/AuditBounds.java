package dev.veil.audit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import java.util.function.UnaryOperator;

/**
 * How much of each value an audit record keeps. Much of what a record holds comes from clients (statement
 * text, user, database and application names, parameters) or from what they sent (error messages quoting a
 * user name, relations named in a statement); without a bound one client could make one record as large as
 * its largest message (a 21 MB comment, an 8 MiB MySQL user name before authentication), too large for the
 * readers and quick to fill the audit disk, after which Veil refuses every statement.
 *
 * <p>Applied by {@link AuditCodec#serialise} to every event before it is written, so what is hashed is what
 * is bounded. The statement keeps up to {@code statementChars} characters and says so
 * ({@code statementTruncated}), with the length and SHA-256 (of the UTF-8 bytes) of the whole recorded
 * text. Every other string keeps {@code fieldChars} characters, followed by a visible
 * {@code …[truncated: N chars]}. A list (or map) keeps items while their JSON adds up to
 * {@link #LIST_FIELDS} fields' worth (parameters: {@code statementChars}), then ends with an item saying how
 * many more there were. A record's JSON is then at most about {@code 2 × statementChars + 100 × fieldChars}
 * characters (defaults: about 230,000; up to six times that in bytes when every character needs an escape).
 */
public record AuditBounds(int statementChars, int fieldChars) {
    public static final AuditBounds DEFAULT = new AuditBounds(65_536, 1_024);
    /** A list's (or map's) budget, in fields: the text of its items adds up to at most this many fieldChars. */
    public static final int LIST_FIELDS = 16;
    /** The smallest bound that still keeps a useful prefix next to its marker. */
    private static final int MIN_CHARS = 64;

    public AuditBounds {
        if (statementChars < MIN_CHARS || fieldChars < MIN_CHARS) {
            throw new IllegalArgumentException("veil.audit.max-statement-chars and max-field-chars must be at least " + MIN_CHARS
                    + " (got " + statementChars + " and " + fieldChars + ")");
        }
    }

    private AuditEvent.Decision decision(AuditEvent.Decision c) {
        if (c == null) {
            return null;
        }
        String rule = field(c.rule());
        String reason = field(c.reason());
        String version = field(c.policyVersion());
        List<AuditEvent.Observation> observed = items(c.observed(), this::observation, AuditBounds::chars,
                more -> new AuditEvent.Observation(more, null, null, null), listChars());
        List<String> probes = strings(c.probes(), listChars());
        if (rule == c.rule() && reason == c.reason() && version == c.policyVersion() && observed == c.observed()
                && probes == c.probes()) {
            return c; // within bounds already, as nearly every decision is: no copy
        }
        return new AuditEvent.Decision(c.verdict(), rule, reason, version, observed, probes);
    }

    /** The event as it is recorded: the same event with every value within bounds (the event itself when nothing is over). */
    public AuditEvent apply(AuditEvent e) {
        if (e instanceof AuditEvent.StatementDecided d) {
            return decided(d);
        }
        if (e instanceof AuditEvent.StatementCompleted c) {
            String identity = field(c.identityName());
            String tag = field(c.commandTag());
            String sqlState = field(c.sqlState());
            AuditEvent.Decision decision = decision(c.decision());
            if (identity == c.identityName() && tag == c.commandTag() && sqlState == c.sqlState() && decision == c.decision()) {
                return c;
            }
            return new AuditEvent.StatementCompleted(c.time(), c.sessionId(), c.statementId(), identity,
                    c.outcome(), tag, c.rows(), c.veilMicros(), c.upstreamMicros(), sqlState, c.errno(), decision);
        }
        if (e instanceof AuditEvent.SessionStarted s) {
            AuditEvent.Who w = s.identity();
            AuditEvent.Who who = w == null ? null : new AuditEvent.Who(field(w.name()), strings(w.roles(), listChars()),
                    field(w.source()), field(w.provider()), strings(w.groups(), listChars()), field(w.kind()), field(w.clientId()),
                    field(w.owner()), field(w.actor()));
            return new AuditEvent.SessionStarted(s.time(), s.sessionId(), field(s.protocol()), who, field(s.clientAddress()),
                    field(s.applicationName()), s.tls(), field(s.environment()), field(s.upstream()), field(s.database()),
                    field(s.databaseUser()));
        }
        if (e instanceof AuditEvent.SessionEnded s) {
            return new AuditEvent.SessionEnded(s.time(), s.sessionId(), field(s.identityName()), s.durationMillis(),
                    s.statements(), field(s.reason()));
        }
        if (e instanceof AuditEvent.AuthenticationFailed a) {
            return new AuditEvent.AuthenticationFailed(a.time(), field(a.protocol()), field(a.user()), field(a.clientAddress()),
                    a.tls(), field(a.sqlState()), field(a.reason()));
        }
        if (e instanceof AuditEvent.AuthenticationFailuresSuppressed a) {
            return new AuditEvent.AuthenticationFailuresSuppressed(a.time(), field(a.clientAddress()), a.failures(), a.from(), a.to());
        }
        if (e instanceof AuditEvent.PolicyReloaded p) {
            return new AuditEvent.PolicyReloaded(p.time(), field(p.source()), field(p.version()), p.ok(), field(p.message()));
        }
        if (e instanceof AuditEvent.AdminAction a) {
            return new AuditEvent.AdminAction(a.time(), field(a.actor()), field(a.action()), field(a.target()), map(a.detail()), a.ok());
        }
        if (e instanceof AuditEvent.BreakGlass b) {
            return new AuditEvent.BreakGlass(b.time(), field(b.identityName()), field(b.grant()), field(b.role()),
                    field(b.environment()), b.minutes(), b.expires(), field(b.reason()));
        }
        if (e instanceof AuditEvent.Checkpoint c) {
            return new AuditEvent.Checkpoint(c.time(), field(c.reason()), c.records(), c.previousCheckpoint(), field(c.nextFile()),
                    field(c.previousFile()));
        }
        // A new event type must say how it is bounded before it can be recorded.
        throw new IllegalStateException("no audit bounds for " + e.getClass().getSimpleName());
    }

    private AuditEvent.StatementDecided decided(AuditEvent.StatementDecided d) {
        String statement = d.statement();
        long length = d.statementLength();
        String sha256 = d.statementSha256();
        boolean truncated = d.statementTruncated();
        if (statement != null && statement.length() > statementChars) {
            length = statement.length();
            sha256 = AuditCodec.sha256(statement);
            truncated = true;
            statement = statement.substring(0, cutAt(statement, statementChars));
        }
        AuditEvent.Analysis analysis = analysis(d.analysis());
        AuditEvent.Decision decision = decision(d.decision());
        String identity = field(d.identityName());
        List<String> roles = strings(d.roles(), listChars());
        String environment = field(d.environment());
        String upstream = field(d.upstream());
        String database = field(d.database());
        String protocol = field(d.protocol());
        String fingerprint = field(d.fingerprint());
        List<String> parameters = strings(d.parameters(), statementChars);
        List<AuditEvent.Mask> masks = items(d.masks(), this::mask, AuditBounds::chars,
                more -> new AuditEvent.Mask(-1, more, null, null), listChars());
        String approval = field(d.approval());
        if (statement == d.statement() && analysis == d.analysis() && decision == d.decision()
                && identity == d.identityName() && roles == d.roles() && environment == d.environment()
                && upstream == d.upstream() && database == d.database() && protocol == d.protocol()
                && fingerprint == d.fingerprint() && parameters == d.parameters() && masks == d.masks()
                && approval == d.approval()) {
            return d; // within bounds already, as nearly every record is: no copy
        }
        return new AuditEvent.StatementDecided(d.time(), d.sessionId(), d.statementId(), identity, roles, environment,
                upstream, database, protocol, fingerprint, statement, length, sha256, truncated, d.literalsRedacted(),
                parameters, analysis, decision, masks, approval);
    }

    private AuditEvent.Analysis analysis(AuditEvent.Analysis a) {
        if (a == null) {
            return null;
        }
        String kind = field(a.kind());
        List<String> relations = strings(a.relations(), listChars());
        List<AuditEvent.ColumnAccess> columns = items(a.columns(), this::column, AuditBounds::chars,
                more -> new AuditEvent.ColumnAccess(null, more, null, List.of()), listChars());
        String lineage = field(a.lineage());
        if (kind == a.kind() && relations == a.relations() && columns == a.columns() && lineage == a.lineage()) {
            return a;
        }
        return new AuditEvent.Analysis(kind, relations, columns, lineage);
    }

    private AuditEvent.Observation observation(AuditEvent.Observation o) {
        String rule = field(o.rule());
        String mode = field(o.mode());
        String reason = field(o.reason());
        if (rule == o.rule() && mode == o.mode() && reason == o.reason()) {
            return o;
        }
        return new AuditEvent.Observation(rule, mode, o.verdict(), reason);
    }

    private AuditEvent.ColumnAccess column(AuditEvent.ColumnAccess c) {
        String relation = field(c.relation());
        String column = field(c.column());
        String access = field(c.access());
        List<String> tags = strings(c.tags(), listChars());
        if (relation == c.relation() && column == c.column() && access == c.access() && tags == c.tags()) {
            return c;
        }
        return new AuditEvent.ColumnAccess(relation, column, access, tags);
    }

    private AuditEvent.Mask mask(AuditEvent.Mask m) {
        String label = field(m.columnLabel());
        String tag = field(m.tag());
        String masker = field(m.masker());
        List<String> tags = strings(m.tags(), listChars());
        List<String> origins = strings(m.origins(), listChars());
        if (label == m.columnLabel() && tag == m.tag() && masker == m.masker() && tags == m.tags() && origins == m.origins()) {
            return m;
        }
        return new AuditEvent.Mask(m.outputColumn(), label, tag, masker, tags, origins);
    }

    private int listChars() {
        return LIST_FIELDS * fieldChars;
    }

    /** A string cut to {@code fieldChars}, with a marker saying how long it was. */
    String field(String s) {
        if (s == null || s.length() <= fieldChars) {
            return s;
        }
        return s.substring(0, cutAt(s, fieldChars)) + "…[truncated: " + s.length() + " chars]";
    }

    /** Where to cut so that no surrogate pair is split (a lone half would not survive UTF-8). */
    private static int cutAt(String s, int max) {
        return Character.isHighSurrogate(s.charAt(max - 1)) ? max - 1 : max;
    }

    private List<String> strings(List<String> list, int budget) {
        return items(list, this::field, s -> len(s) + 3, more -> more, budget);
    }

    /**
     * Keeps the items (each bounded) while their text adds up to at most {@code budget}, then one item made
     * by {@code marker} from a "…[truncated: N more items]" text. The list itself when nothing changes.
     */
    private static <T> List<T> items(List<T> list, UnaryOperator<T> bound, ToIntFunction<T> size, Function<String, T> marker,
                                     int budget) {
        if (list == null) {
            return null;
        }
        List<T> out = null; // made at the first change: a list within bounds is returned as it is, uncopied
        long used = 0;
        for (int i = 0; i < list.size(); i++) {
            T item = list.get(i);
            T kept = item == null ? null : bound.apply(item);
            used += kept == null ? 5 : size.applyAsInt(kept);
            if ((used > budget || kept != item) && out == null) {
                out = new ArrayList<>(list.subList(0, i));
            }
            if (used > budget) {
                out.add(marker.apply("…[truncated: " + (list.size() - i) + " more items]"));
                return out;
            }
            if (out != null) {
                out.add(kept);
            }
        }
        return out == null ? list : out;
    }

    private Map<String, String> map(Map<String, String> map) {
        if (map == null) {
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        long used = 0;
        int left = map.size();
        for (Map.Entry<String, String> e : map.entrySet()) {
            String k = field(e.getKey());
            String v = field(e.getValue());
            used += len(k) + len(v) + 6;
            if (used > listChars()) {
                out.put("…", "[truncated: " + left + " more entries]");
                return out;
            }
            out.put(k, v);
            left--;
        }
        return out;
    }

    /** Roughly the JSON of an item (field names and punctuation included), so a list of tiny items is bounded too. */
    private static int chars(AuditEvent.ColumnAccess c) {
        int n = 50 + len(c.relation()) + len(c.column()) + len(c.access());
        if (c.tags() != null) {
            for (String t : c.tags()) {
                n += len(t) + 3;
            }
        }
        return n;
    }

    private static int chars(AuditEvent.Observation o) {
        return 60 + len(o.rule()) + len(o.mode()) + len(o.reason());
    }

    private static int chars(AuditEvent.Mask m) {
        return 70 + len(m.columnLabel()) + len(m.tag()) + len(m.masker());
    }

    private static int len(String s) {
        return s == null ? 4 : s.length();
    }
}
