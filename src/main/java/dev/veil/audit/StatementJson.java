package dev.veil.audit;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The JSON of the two records every statement makes ({@code statement.decided}, {@code statement.completed}),
 * written field by field into one buffer. The object mapper reaches each record component by reflection, and even
 * Jackson's streaming generator (a Writer, per-character escaping checks) was a fifth of an event loop's time
 * under load. This writes the bytes the mapper writes: the same field order, nulls, and escaping (the mapper's
 * defaults: quote, backslash and control characters escaped, backspace, tab, newline, form feed and carriage
 * return by their short escapes, the others as a six-character escape with upper-case hex; everything else,
 * non-ASCII included, as it is). {@code StatementJsonTest} holds the two to the same output, so a field added to
 * either record and not here fails the build.
 */
final class StatementJson {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /** The event as the mapper would write it, type name first; null for an event written by the mapper. */
    String write(AuditEvent event) {
        String fields = fields(event);
        return fields == null ? null : "{" + fields + "}";
    }

    /**
     * The same without the braces around it: what {@link AuditCodec.Serialised} holds, made without the copy that
     * cutting them off would take.
     */
    String fields(AuditEvent event) {
        if (!(event instanceof AuditEvent.StatementDecided) && !(event instanceof AuditEvent.StatementCompleted)) {
            return null;
        }
        Out g = new Out(event instanceof AuditEvent.StatementDecided d ? 640 + length(d.statement()) : 320);
        if (event instanceof AuditEvent.StatementDecided d) {
            decided(g, d);
        } else {
            completed(g, (AuditEvent.StatementCompleted) event);
        }
        return g.toString();
    }

    private static int length(String s) {
        return s == null ? 0 : s.length();
    }

    private static void decided(Out g, AuditEvent.StatementDecided d) {
        g.writeStringField("type", "statement.decided");
        g.writeInstantField("time", d.time());
        g.writeNumberField("sessionId", d.sessionId());
        g.writeNumberField("statementId", d.statementId());
        RecentParts recent = RECENT_PARTS.get();
        g.append(recent.sessionPart(d));
        g.writeStringField("fingerprint", d.fingerprint());
        g.writeStringField("statement", d.statement());
        g.writeNumberField("statementLength", d.statementLength());
        g.writeStringField("statementSha256", d.statementSha256());
        g.writeBooleanField("statementTruncated", d.statementTruncated());
        g.writeBooleanField("literalsRedacted", d.literalsRedacted());
        strings(g, "parameters", d.parameters());
        g.append(recent.analysisPart(d.analysis()));
        decision(g, d.decision());
        masks(g, d.masks());
        g.writeStringField("approval", d.approval());
    }

    /** From identityName to protocol: the same for every statement of a session (while it stays in one database). */
    private static void writeSession(Out g, AuditEvent.StatementDecided d) {
        g.writeStringField("identityName", d.identityName());
        strings(g, "roles", d.roles());
        g.writeStringField("environment", d.environment());
        g.writeStringField("upstream", d.upstream());
        g.writeStringField("database", d.database());
        g.writeStringField("protocol", d.protocol());
    }

    /** The fields of a session part, kept without the rest of the event (its statement may be long). */
    private static final class SessionFields {
        private final String identityName;
        private final List<String> roles;
        private final String environment;
        private final String upstream;
        private final String database;
        private final String protocol;

        SessionFields(AuditEvent.StatementDecided d) {
            identityName = d.identityName();
            roles = d.roles();
            environment = d.environment();
            upstream = d.upstream();
            database = d.database();
            protocol = d.protocol();
        }

        boolean sameAs(AuditEvent.StatementDecided d) {
            return Objects.equals(identityName, d.identityName()) && Objects.equals(roles, d.roles())
                    && Objects.equals(environment, d.environment()) && Objects.equals(upstream, d.upstream())
                    && Objects.equals(database, d.database()) && Objects.equals(protocol, d.protocol());
        }
    }

    /**
     * The JSON of the parts of a decision record that repeat, as each thread last wrote them: a slot per hash. Writing
     * them field by field was most of a record's cost.
     * <ul>
     *   <li>The session part (identityName to protocol) is kept with the fields it was written from, and taken again
     *   for an event whose fields equal those: mostly the very same strings and list.</li>
     *   <li>The analysis (its tables and columns) is kept by the instance: the pipeline makes one per cached
     *   statement analysis and hands that same instance to every record of the statement. Comparing by content
     *   instead was as costly as writing it.</li>
     * </ul>
     * Events are immutable once made, so what is kept still says what its JSON says. Only short parts are kept: at
     * most {@value #SLOTS} of each, of up to {@value #MAX_PART_CHARS} characters, per thread.
     */
    private static final class RecentParts {
        private final SessionFields[] sessions = new SessionFields[SLOTS];
        private final String[] sessionJson = new String[SLOTS];
        private final AuditEvent.Analysis[] analyses = new AuditEvent.Analysis[SLOTS];
        private final String[] analysisJson = new String[SLOTS];

        String sessionPart(AuditEvent.StatementDecided d) {
            int slot = slot(Objects.hashCode(d.identityName()) * 31 + Objects.hashCode(d.database()));
            SessionFields kept = sessions[slot];
            if (kept != null && kept.sameAs(d)) {
                return sessionJson[slot];
            }
            Out g = afterAValue(160);
            writeSession(g, d);
            String json = g.toString();
            if (json.length() <= MAX_PART_CHARS) {
                sessions[slot] = new SessionFields(d);
                sessionJson[slot] = json;
            }
            return json;
        }

        String analysisPart(AuditEvent.Analysis a) {
            int slot = slot(System.identityHashCode(a));
            if (a != null && analyses[slot] == a) {
                return analysisJson[slot];
            }
            Out g = afterAValue(256);
            analysis(g, a);
            String json = g.toString();
            if (a != null && json.length() <= MAX_PART_CHARS) {
                analyses[slot] = a;
                analysisJson[slot] = json;
            }
            return json;
        }

        private static int slot(int hash) {
            return (hash ^ (hash >>> 16)) & (SLOTS - 1);
        }

        /** A part written on its own, each field after a comma: it follows a field of the record. */
        private static Out afterAValue(int capacity) {
            Out g = new Out(capacity);
            g.first = false;
            return g;
        }
    }

    private static final int SLOTS = 64;
    private static final int MAX_PART_CHARS = 4096;
    private static final ThreadLocal<RecentParts> RECENT_PARTS = ThreadLocal.withInitial(RecentParts::new);

    private static void completed(Out g, AuditEvent.StatementCompleted c) {
        g.writeStringField("type", "statement.completed");
        g.writeInstantField("time", c.time());
        g.writeNumberField("sessionId", c.sessionId());
        g.writeNumberField("statementId", c.statementId());
        g.writeStringField("identityName", c.identityName());
        g.writeStringField("outcome", c.outcome() == null ? null : c.outcome().name().toLowerCase(Locale.ROOT));
        g.writeStringField("commandTag", c.commandTag());
        g.writeFieldName("rows");
        if (c.rows() == null) {
            g.writeNull();
        } else {
            g.writeNumber(c.rows());
        }
        g.writeNumberField("veilMicros", c.veilMicros());
        g.writeNumberField("upstreamMicros", c.upstreamMicros());
        g.writeStringField("sqlState", c.sqlState());
        g.writeFieldName("errno");
        if (c.errno() == null) {
            g.writeNull();
        } else {
            g.writeNumber(c.errno());
        }
        if (c.decision() != null) {
            decision(g, c.decision());
        }
    }

    private static void analysis(Out g, AuditEvent.Analysis a) {
        g.writeFieldName("analysis");
        if (a == null) {
            g.writeNull();
            return;
        }
        g.writeStartObject();
        g.writeStringField("kind", a.kind());
        strings(g, "relations", a.relations());
        g.writeFieldName("columns");
        if (a.columns() == null) {
            g.writeNull();
        } else {
            g.writeStartArray();
            for (AuditEvent.ColumnAccess c : a.columns()) {
                if (c == null) {
                    g.writeNull();
                    continue;
                }
                g.writeStartObject();
                g.writeStringField("relation", c.relation());
                g.writeStringField("column", c.column());
                g.writeStringField("access", c.access());
                strings(g, "tags", c.tags());
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        g.writeStringField("lineage", a.lineage());
        g.writeEndObject();
    }

    private static void decision(Out g, AuditEvent.Decision d) {
        g.writeFieldName("decision");
        if (d == null) {
            g.writeNull();
            return;
        }
        g.writeStartObject();
        g.writeStringField("verdict", verdict(d.verdict()));
        g.writeStringField("rule", d.rule());
        g.writeStringField("reason", d.reason());
        g.writeStringField("policyVersion", d.policyVersion());
        g.writeFieldName("observed");
        g.writeStartArray(); // never null: the record makes it empty
        for (AuditEvent.Observation o : d.observed()) {
            if (o == null) {
                g.writeNull();
                continue;
            }
            g.writeStartObject();
            g.writeStringField("rule", o.rule());
            g.writeStringField("mode", o.mode());
            g.writeStringField("verdict", verdict(o.verdict()));
            g.writeStringField("reason", o.reason());
            g.writeEndObject();
        }
        g.writeEndArray();
        if (!d.probes().isEmpty()) {
            strings(g, "probes", d.probes());
        }
        g.writeEndObject();
    }

    private static void masks(Out g, List<AuditEvent.Mask> masks) {
        g.writeFieldName("masks");
        if (masks == null) {
            g.writeNull();
            return;
        }
        g.writeStartArray();
        for (AuditEvent.Mask m : masks) {
            if (m == null) {
                g.writeNull();
                continue;
            }
            g.writeStartObject();
            g.writeNumberField("outputColumn", m.outputColumn());
            g.writeStringField("columnLabel", m.columnLabel());
            g.writeStringField("tag", m.tag());
            g.writeStringField("masker", m.masker());
            strings(g, "tags", m.tags());
            strings(g, "origins", m.origins());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /** The names the enum's {@code @JsonProperty} gives: allow, deny, needs-approval. */
    private static String verdict(AuditEvent.Verdict v) {
        if (v == null) {
            return null;
        }
        return switch (v) {
            case ALLOW -> "allow";
            case DENY -> "deny";
            case NEEDS_APPROVAL -> "needs-approval";
        };
    }

    private static void strings(Out g, String name, List<String> values) {
        g.writeFieldName(name);
        if (values == null) {
            g.writeNull();
            return;
        }
        g.writeStartArray();
        for (String v : values) {
            g.writeString(v);
        }
        g.writeEndArray();
    }

    /** A JSON object being written: the few calls of Jackson's generator this needs, commas placed as it does. */
    private static final class Out {
        private final StringBuilder b;
        /** True right after an opening brace or bracket: the next value or field takes no comma. */
        private boolean first = true;
        /** True right after a field name: its value takes no comma. */
        private boolean named;

        Out(int capacity) {
            b = new StringBuilder(capacity);
        }

        private void beforeValue() {
            if (named) {
                named = false;
            } else if (!first) {
                b.append(',');
            }
            first = false;
        }

        void writeStartObject() {
            beforeValue();
            b.append('{');
            first = true;
        }

        void writeEndObject() {
            b.append('}');
            first = false;
        }

        void writeStartArray() {
            beforeValue();
            b.append('[');
            first = true;
        }

        void writeEndArray() {
            b.append(']');
            first = false;
        }

        void writeFieldName(String name) {
            if (!first) {
                b.append(',');
            }
            first = false;
            b.append('"').append(name).append("\":"); // our own names: nothing to escape
            named = true;
        }

        /** JSON written by another {@code Out} that began after a value, as this one is now. */
        void append(String fields) {
            b.append(fields);
        }

        void writeNull() {
            beforeValue();
            b.append("null");
        }

        void writeString(String s) {
            beforeValue();
            if (s == null) {
                b.append("null");
                return;
            }
            b.append('"');
            escaped(s);
            b.append('"');
        }

        void writeNumber(long n) {
            beforeValue();
            b.append(n);
        }

        void writeStringField(String name, String value) {
            writeFieldName(name);
            writeString(value);
        }

        /** An instant's text needs no escaping: written straight into the record. */
        void writeInstantField(String name, Instant t) {
            writeFieldName(name);
            beforeValue();
            if (t == null) {
                b.append("null");
                return;
            }
            b.append('"');
            AuditInstants.append(b, t).append('"');
        }

        void writeNumberField(String name, long value) {
            writeFieldName(name);
            writeNumber(value);
        }

        void writeBooleanField(String name, boolean value) {
            writeFieldName(name);
            beforeValue();
            b.append(value);
        }

        private void escaped(String s) {
            int n = s.length();
            int clean = 0;
            while (clean < n) {
                char c = s.charAt(clean);
                if (c < 0x20 || c == '"' || c == '\\') {
                    break;
                }
                clean++;
            }
            if (clean == n) {
                b.append(s); // nothing to escape, the usual case: one bulk copy (a range is appended char by char)
                return;
            }
            int from = 0;
            for (int i = clean; i < n; i++) {
                char c = s.charAt(i);
                if (c >= 0x20 && c != '"' && c != '\\') {
                    continue;
                }
                b.append(s, from, i);
                from = i + 1;
                b.append('\\');
                switch (c) {
                    case '"' -> b.append('"');
                    case '\\' -> b.append('\\');
                    case '\b' -> b.append('b');
                    case '\t' -> b.append('t');
                    case '\n' -> b.append('n');
                    case '\f' -> b.append('f');
                    case '\r' -> b.append('r');
                    default -> b.append("u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
                }
            }
            b.append(s, from, n);
        }

        @Override
        public String toString() {
            return b.toString();
        }
    }
}
