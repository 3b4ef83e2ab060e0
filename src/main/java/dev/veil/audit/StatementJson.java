package dev.veil.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;

/**
 * The JSON of the two records every statement makes ({@code statement.decided}, {@code statement.completed}),
 * written field by field with Jackson's streaming generator. The object mapper reaches each record component by
 * reflection and was a fifth of an event loop's time under load; this writes the same bytes (same field order,
 * nulls and escaping: the generator is the mapper's own) without it. {@code StatementJsonTest} holds the two to
 * the same output, so a field added to either record and not here fails the build.
 */
final class StatementJson {
    private final JsonFactory factory;

    StatementJson(JsonFactory factory) {
        this.factory = factory;
    }

    /** The event as the mapper would write it, type name first; null for an event written by the mapper. */
    String write(AuditEvent event) {
        if (!(event instanceof AuditEvent.StatementDecided) && !(event instanceof AuditEvent.StatementCompleted)) {
            return null;
        }
        StringWriter out = new StringWriter(event instanceof AuditEvent.StatementDecided d ? 512 + length(d.statement()) : 320);
        try (JsonGenerator g = factory.createGenerator(out)) {
            g.writeStartObject();
            if (event instanceof AuditEvent.StatementDecided d) {
                decided(g, d);
            } else {
                completed(g, (AuditEvent.StatementCompleted) event);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
    }

    private static int length(String s) {
        return s == null ? 0 : s.length();
    }

    private static void decided(JsonGenerator g, AuditEvent.StatementDecided d) throws IOException {
        g.writeStringField("type", "statement.decided");
        g.writeStringField("time", d.time() == null ? null : d.time().toString());
        g.writeNumberField("sessionId", d.sessionId());
        g.writeNumberField("statementId", d.statementId());
        g.writeStringField("identityName", d.identityName());
        strings(g, "roles", d.roles());
        g.writeStringField("environment", d.environment());
        g.writeStringField("upstream", d.upstream());
        g.writeStringField("database", d.database());
        g.writeStringField("protocol", d.protocol());
        g.writeStringField("fingerprint", d.fingerprint());
        g.writeStringField("statement", d.statement());
        g.writeNumberField("statementLength", d.statementLength());
        g.writeStringField("statementSha256", d.statementSha256());
        g.writeBooleanField("statementTruncated", d.statementTruncated());
        g.writeBooleanField("literalsRedacted", d.literalsRedacted());
        strings(g, "parameters", d.parameters());
        analysis(g, d.analysis());
        decision(g, d.decision());
        masks(g, d.masks());
        g.writeStringField("approval", d.approval());
    }

    private static void completed(JsonGenerator g, AuditEvent.StatementCompleted c) throws IOException {
        g.writeStringField("type", "statement.completed");
        g.writeStringField("time", c.time() == null ? null : c.time().toString());
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
    }

    private static void analysis(JsonGenerator g, AuditEvent.Analysis a) throws IOException {
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

    private static void decision(JsonGenerator g, AuditEvent.Decision d) throws IOException {
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
        g.writeEndObject();
    }

    private static void masks(JsonGenerator g, List<AuditEvent.Mask> masks) throws IOException {
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

    private static void strings(JsonGenerator g, String name, List<String> values) throws IOException {
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
}
