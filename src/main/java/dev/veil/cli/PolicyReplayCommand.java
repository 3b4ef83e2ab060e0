package dev.veil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.analysis.Analysis;
import dev.veil.analysis.Dialect;
import dev.veil.analysis.NameResolution;
import dev.veil.analysis.text.LexicalSettings;
import dev.veil.audit.AuditQuery;
import dev.veil.audit.AuditSearch;
import dev.veil.audit.AuditSource;
import dev.veil.config.VeilConfig;
import dev.veil.identity.Identity;
import dev.veil.policy.Decision;
import dev.veil.policy.PolicyEngine;
import dev.veil.policy.PolicySet;
import dev.veil.policy.SessionFacts;
import dev.veil.policy.StatementFacts;
import dev.veil.policy.trial.PolicyTrial;
import dev.veil.session.StatementAnalysis;
import dev.veil.session.StatementPipeline;
import dev.veil.upstream.UpstreamRegistry;
import dev.veil.upstream.UpstreamSettings;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code veil policy replay --policy NEW --since 7d}: the statements of the audit trail (files or the audit table,
 * as {@code veil audit search} reads them) decided again under a candidate policy, and what would change. Each
 * record is replayed as recorded: its text (literals redacted: they are {@code ?}, which the analysis reads as
 * parameters), its database, its time (what {@code request.time} reads), and who sent it (name and configured roles
 * from the record; account source, token groups, client address and application from its session's
 * {@code session.started}; a token's claims are not recorded).
 * Statements are analysed against the catalogs of the configured upstreams (the ones they ran on), or without a
 * catalog when the upstream is not configured or cannot be read.
 */
@CommandLine.Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Decide the statements of the audit trail again under a candidate policy and report what would change.")
public class PolicyReplayCommand implements Callable<Integer> {
    private static final long ANALYSIS_SECONDS = 60;

    private final VeilConfig config;
    private final StatementAnalysis analysis;
    private final UpstreamRegistry upstreams;

    @CommandLine.Mixin
    AuditOptions options = new AuditOptions();
    @CommandLine.Option(names = "--policy", required = true, paramLabel = "FILE", description = "The candidate policy file") Path policyFile;
    @CommandLine.Option(names = "--since", defaultValue = "7d", description = "From: a duration back from now (7d, 12h, 30m), "
            + "an ISO-8601 instant or a date (default ${DEFAULT-VALUE})") String since;
    @CommandLine.Option(names = "--until", description = "Up to (exclusive), as --since; default now") String until;
    @CommandLine.Option(names = "--environment", description = "The environment to load the policy for (default: the one it "
            + "names, else veil.environment)") String environment;
    @CommandLine.Option(names = "--examples", defaultValue = "5", description = "Examples shown per kind of change (default ${DEFAULT-VALUE})")
    int examples;
    @CommandLine.Option(names = "--json", description = "One JSON object instead of text") boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** What a session.started record says of who is connected. */
    private record SessionSeen(Identity.Source source, List<String> groups, String clientAddress, String application,
                               boolean readOnlyDatabaseUser) {
    }

    public PolicyReplayCommand(VeilConfig config, StatementAnalysis analysis, UpstreamRegistry upstreams) {
        this.config = config;
        this.analysis = analysis;
        this.upstreams = upstreams;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Instant now = Instant.now();
        Instant from;
        Instant to;
        PolicySet policy;
        try {
            from = when(since, now, "--since");
            to = until == null ? now : when(until, now, "--until");
            policy = CandidatePolicy.load(policyFile, environment, config.environment());
        } catch (IllegalArgumentException | CandidatePolicy.Unusable e) {
            err.println(e.getMessage());
            err.flush();
            return 2;
        }
        ReplayReport report = new ReplayReport(examples);
        CeilingChanges ceilings = new CeilingChanges(examples);
        Map<Long, SessionSeen> sessions = new HashMap<>();
        String[] sourceName = new String[1];
        int status = AuditOptions.run(err, () -> {
            try (AuditSource source = options.source(config)) {
                sourceName[0] = source.name();
                // From the start of the chain: a session's session.started may be older than --since.
                AuditQuery q = new AuditQuery(null, null, to, null, null, null, null, null, Integer.MAX_VALUE);
                new AuditSearch(source).scan(q, m -> {
                    JsonNode r = m.json();
                    String type = r.path("type").asText();
                    if ("session.started".equals(type)) {
                        sessions.put(r.path("sessionId").asLong(), seen(r));
                    } else if ("statement.decided".equals(type)) {
                        Instant t = AuditQuery.timeOf(r);
                        if (t != null && !t.isBefore(from) && t.isBefore(to)) {
                            replay(r, t, sessions.get(r.path("sessionId").asLong()), policy, report, ceilings);
                        }
                    } else if ("statement.completed".equals(type)) {
                        ceilings.completed(r);
                    }
                });
                ceilings.finish();
                return 0;
            }
        });
        if (status != 0) {
            return status;
        }
        String header = "Replayed the statements recorded from " + from + " to " + to + " (" + sourceName[0] + ") through "
                + policyFile + " version " + policy.version() + ", environment " + policy.environment().name() + ":";
        if (json) {
            Map<String, Object> h = new LinkedHashMap<>();
            h.put("from", from.toString());
            h.put("to", to.toString());
            h.put("source", sourceName[0]);
            h.put("policy", policyFile.toString());
            h.put("policyVersion", policy.version());
            h.put("environment", policy.environment().name());
            Map<String, Object> body = report.json(h);
            body.put("ceilings", ceilings.json());
            out.println(new ObjectMapper().writeValueAsString(body));
        } else {
            report.printText(out, header);
            ceilings.printText(out);
        }
        out.flush();
        return 0;
    }

    private void replay(JsonNode r, Instant time, SessionSeen session, PolicySet policy, ReplayReport report,
                        CeilingChanges ceilings) {
        JsonNode decision = r.path("decision");
        String wasRule = decision.path("rule").asText("");
        if (StatementPipeline.PROTOCOL_RULE.equals(wasRule)) {
            report.protocolRefusal();
            return;
        }
        if (r.path("statementTruncated").asBoolean(false)) {
            report.truncated();
            return;
        }
        String sql = r.path("statement").asText("");
        Dialect dialect = "mysql".equals(r.path("protocol").asText()) ? Dialect.MYSQL : Dialect.POSTGRESQL;
        String database = r.path("database").isTextual() ? r.path("database").asText() : null;
        List<String> roles = new ArrayList<>();
        r.path("roles").forEach(n -> roles.add(n.asText()));
        Identity.Source source = session == null ? Identity.Source.LOCAL_ACCOUNT : session.source();
        if (source == Identity.Source.OIDC_TOKEN) {
            report.tokenIdentity();
        }
        String name = r.path("identityName").asText("");
        Identity identity = new Identity(name, roles, source, null, null, session == null ? List.of() : session.groups(), Map.of());
        SessionFacts facts = new SessionFacts(identity, session == null ? null : session.clientAddress(),
                session == null ? null : session.application(), session != null && session.readOnlyDatabaseUser());
        PolicyEngine engine = PolicyEngine.builtIn(Clock.fixed(time, ZoneOffset.UTC));
        engine.install(policy);
        Analysis a = analyse(r.path("upstream").asText(""), dialect, database, sql);
        Decision now = engine.decide(new StatementFacts(dialect, sql, false, a, facts, database));
        String wasVerdict = "allow".equals(decision.path("verdict").asText()) ? "allow" : "deny";
        ReplayReport.Example e = new ReplayReport.Example(time, name, r.path("upstream").asText("") + "/"
                + (database == null ? "" : database), sql, wasVerdict, wasRule, PolicyTrial.verdict(now), now.rule(),
                PolicyTrial.reason(now));
        report.replayed(e);
        if (now instanceof Decision.Allow allow && "allow".equals(wasVerdict)) {
            ceilings.decided(r.path("sessionId").asLong(), r.path("statementId").asLong(), e,
                    allow.ceiling() == null ? null : allow.ceiling().maxRows());
        }
    }

    private Analysis analyse(String upstreamName, Dialect dialect, String database, String sql) {
        UpstreamSettings upstream = upstreams.find(upstreamName).orElseGet(() -> AnalyzeCommand.withoutCatalog(dialect));
        NameResolution names = dialect == Dialect.MYSQL ? NameResolution.mysql(database) : null;
        try {
            return analysis.analyze(upstream, database, LexicalSettings.defaults(dialect), names, sql)
                    .toCompletionStage().toCompletableFuture().get(ANALYSIS_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot analyse a recorded statement: " + e.getMessage(), e);
        }
    }

    /** Whether the session's database user is a read-only role user of its upstream in this configuration. */
    private boolean readOnlyUser(JsonNode r) {
        String user = r.path("databaseUser").asText(null);
        VeilConfig.Upstream upstream = config.upstreams().get(r.path("upstream").asText(""));
        return user != null && upstream != null && upstream.roleUsers().values().stream()
                .anyMatch(u -> u.readOnly() && u.user().equals(user));
    }

    private SessionSeen seen(JsonNode r) {
        String source = r.path("identity").path("source").asText("").toUpperCase(Locale.ROOT);
        Identity.Source s;
        try {
            s = Identity.Source.valueOf(source);
        } catch (IllegalArgumentException e) {
            s = Identity.Source.LOCAL_ACCOUNT;
        }
        List<String> groups = new ArrayList<>();
        r.path("identity").path("groups").forEach(g -> groups.add(g.asText()));
        return new SessionSeen(s, List.copyOf(groups), r.path("clientAddress").asText(null), r.path("applicationName").asText(null),
                readOnlyUser(r));
    }

    /** 7d, 12h, 30m back from {@code now}; or an ISO-8601 instant; or a date (midnight UTC). */
    static Instant when(String s, Instant now, String option) {
        String t = s.trim();
        try {
            if (t.matches("\\d+[dhm]")) {
                long n = Long.parseLong(t.substring(0, t.length() - 1));
                char unit = t.charAt(t.length() - 1);
                Duration back = unit == 'd' ? Duration.ofDays(n) : unit == 'h' ? Duration.ofHours(n) : Duration.ofMinutes(n);
                return now.minus(back);
            }
            return AuditOptions.instant(t);
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new IllegalArgumentException(option + ": \"" + s + "\" is not a time; give a duration back from now (7d, 12h, "
                    + "30m), an ISO-8601 instant (2026-01-31T12:00:00Z) or a date (2026-01-31)");
        }
    }
}
