package dev.veil.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * SOC 2 evidence for a period, from the audit trail: who accessed which sensitive (tagged) columns and
 * how often, every refusal, every approval, every privilege change (GRANT/REVOKE/role statements, and
 * administrative actions that change something: not the read-only ones such as audit.search), every
 * administrative action, and failed sign-ins. Written as one JSON document and one CSV per section.
 */
public final class EvidenceReport {
    public record SensitiveAccess(String identity, String relation, String column, String tags, long statements,
                                  Instant first, Instant last) {
    }

    public record Refusal(Instant time, String identity, String rule, String reason, String statement, long seq) {
    }

    public record Approval(Instant time, String identity, String approval, String statement, long seq) {
    }

    public record PrivilegeChange(Instant time, String actor, String what, String detail, long seq) {
    }

    public record SignInFailure(Instant time, String user, String clientAddress, String reason, long seq) {
    }

    public record AdminActivity(Instant time, String actor, String action, String target, String detail, boolean ok, long seq) {
    }

    public record Report(Instant from, Instant to, long recordsScanned, List<SensitiveAccess> sensitiveAccess,
                         List<Refusal> refusals, List<Approval> approvals, List<PrivilegeChange> privilegeChanges,
                         List<AdminActivity> adminActions, List<SignInFailure> signInFailures) {
    }

    /** Actions whose last word is one of these only look: they are evidence of access, not changes. */
    private static final Set<String> READ_ONLY_VERBS = Set.of("search", "read", "view", "list", "get",
            "export", "verify", "report");

    static boolean changesSomething(String action) {
        return !READ_ONLY_VERBS.contains(action.substring(action.lastIndexOf('.') + 1).toLowerCase());
    }

    public Report build(Path directory, Instant from, Instant to) throws IOException {
        return build(new DirectoryAuditSource(directory), from, to);
    }

    public Report build(AuditSource source, Instant from, Instant to) throws IOException {
        Map<String, SensitiveAccess> access = new TreeMap<>();
        List<Refusal> refusals = new ArrayList<>();
        List<Approval> approvals = new ArrayList<>();
        List<PrivilegeChange> privileges = new ArrayList<>();
        List<SignInFailure> signIns = new ArrayList<>();
        List<AdminActivity> admin = new ArrayList<>();
        long[] scanned = {0};
        AuditQuery range = new AuditQuery(null, from, to, null, null, null, null, null, Integer.MAX_VALUE);
        new AuditSearch(source).scan(range, m -> {
            scanned[0]++;
            JsonNode r = m.json();
            Instant t = Instant.parse(r.path("time").asText());
            long seq = r.path("seq").asLong();
            switch (r.path("type").asText()) {
                case "statement.decided" -> {
                    String who = r.path("identityName").asText();
                    String verdict = r.path("decision").path("verdict").asText();
                    String text = r.path("statement").asText();
                    if ("deny".equals(verdict)) {
                        refusals.add(new Refusal(t, who, r.path("decision").path("rule").asText(),
                                r.path("decision").path("reason").asText(null), text, seq));
                    } else {
                        for (JsonNode c : r.path("analysis").path("columns")) {
                            if (c.path("tags").isEmpty()) {
                                continue;
                            }
                            List<String> tags = new ArrayList<>();
                            c.path("tags").forEach(x -> tags.add(x.asText()));
                            String key = who + "\u0000" + c.path("relation").asText() + "\u0000" + c.path("column").asText();
                            SensitiveAccess old = access.get(key);
                            access.put(key, new SensitiveAccess(who, c.path("relation").asText(), c.path("column").asText(),
                                    String.join(" ", tags), old == null ? 1 : old.statements() + 1,
                                    old == null ? t : old.first(), t));
                        }
                    }
                    if (r.hasNonNull("approval")) {
                        approvals.add(new Approval(t, who, r.get("approval").asText(), text, seq));
                    }
                    if ("PRIVILEGE".equalsIgnoreCase(r.path("analysis").path("kind").asText()) && !"deny".equals(verdict)) {
                        privileges.add(new PrivilegeChange(t, who, "statement", text, seq));
                    }
                }
                case "admin.action" -> {
                    String action = r.path("action").asText();
                    String detail = r.path("target").asText() + " " + r.path("detail").toString();
                    admin.add(new AdminActivity(t, r.path("actor").asText(), action, r.path("target").asText(),
                            r.path("detail").toString(), r.path("ok").asBoolean(), seq));
                    if (changesSomething(action)) {
                        privileges.add(new PrivilegeChange(t, r.path("actor").asText(), action, detail, seq));
                    }
                }
                case "auth.failed" -> signIns.add(new SignInFailure(t, r.path("user").asText(), r.path("clientAddress").asText(),
                        r.path("reason").asText(), seq));
                // Failures past the per-source limit, counted only: one row for all of them.
                case "auth.suppressed" -> signIns.add(new SignInFailure(t, null, r.path("clientAddress").asText(null),
                        r.path("failures").asLong() + " further failed sign-ins between " + r.path("from").asText() + " and "
                                + r.path("to").asText() + ", not recorded one by one (veil.audit.auth-failures.per-source)", seq));
                default -> { }
            }
        });
        return new Report(from, to, scanned[0], new ArrayList<>(access.values()), refusals, approvals, privileges, admin, signIns);
    }

    /** Writes soc2-evidence.json and one CSV per section into {@code out}; returns the files written. */
    public List<Path> write(Report report, Path out, ObjectMapper mapper) throws IOException {
        Files.createDirectories(out);
        List<Path> written = new ArrayList<>();
        Path json = out.resolve("soc2-evidence.json");
        mapper.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), report);
        written.add(json);
        written.add(csv(out.resolve("sensitive-access.csv"), List.of("identity", "relation", "column", "tags", "statements", "first", "last"),
                report.sensitiveAccess().stream().map(a -> List.<Object>of(a.identity(), a.relation(), a.column(), a.tags(), a.statements(), a.first(), a.last())).toList()));
        written.add(csv(out.resolve("refusals.csv"), List.of("time", "identity", "rule", "reason", "statement", "seq"),
                report.refusals().stream().map(a -> row(a.time(), a.identity(), a.rule(), a.reason(), a.statement(), a.seq())).toList()));
        written.add(csv(out.resolve("approvals.csv"), List.of("time", "identity", "approval", "statement", "seq"),
                report.approvals().stream().map(a -> row(a.time(), a.identity(), a.approval(), a.statement(), a.seq())).toList()));
        written.add(csv(out.resolve("privilege-changes.csv"), List.of("time", "actor", "what", "detail", "seq"),
                report.privilegeChanges().stream().map(a -> row(a.time(), a.actor(), a.what(), a.detail(), a.seq())).toList()));
        written.add(csv(out.resolve("admin-actions.csv"), List.of("time", "actor", "action", "target", "detail", "ok", "seq"),
                report.adminActions().stream().map(a -> row(a.time(), a.actor(), a.action(), a.target(), a.detail(), a.ok(), a.seq())).toList()));
        written.add(csv(out.resolve("sign-in-failures.csv"), List.of("time", "user", "client_address", "reason", "seq"),
                report.signInFailures().stream().map(a -> row(a.time(), a.user(), a.clientAddress(), a.reason(), a.seq())).toList()));
        return written;
    }

    private static List<Object> row(Object... values) {
        List<Object> l = new ArrayList<>();
        for (Object v : values) {
            l.add(v == null ? "" : v);
        }
        return l;
    }

    private static Path csv(Path file, List<String> header, List<List<Object>> rows) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write(String.join(",", header));
            w.write("\r\n");
            for (List<Object> r : rows) {
                List<String> cells = new ArrayList<>();
                r.forEach(v -> cells.add(quote(String.valueOf(v))));
                w.write(String.join(",", cells));
                w.write("\r\n");
            }
        }
        return file;
    }

    /** RFC 4180 quoting; a leading = + - @ is prefixed with ' so spreadsheets do not run it as a formula. */
    static String quote(String v) {
        String s = !v.isEmpty() && "=+-@".indexOf(v.charAt(0)) >= 0 ? "'" + v : v;
        return s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r") || !s.equals(v)
                ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    /** Counts per section, for the command's summary line. */
    public static Map<String, Integer> counts(Report r) {
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put("sensitive column accesses (identity, column)", r.sensitiveAccess().size());
        m.put("refusals", r.refusals().size());
        m.put("approvals", r.approvals().size());
        m.put("privilege changes", r.privilegeChanges().size());
        m.put("admin actions", r.adminActions().size());
        m.put("sign-in failures", r.signInFailures().size());
        return m;
    }
}
