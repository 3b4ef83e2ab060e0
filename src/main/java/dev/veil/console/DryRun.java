package dev.veil.console;

import dev.veil.admin.AdminUpstreams;
import dev.veil.admin.DecideResource;
import dev.veil.analysis.Analysis;
import dev.veil.analysis.Dialect;
import dev.veil.analysis.NameResolution;
import dev.veil.analysis.text.LexicalSettings;
import dev.veil.config.VeilConfig;
import dev.veil.policy.Decision;
import dev.veil.policy.PolicyEngine;
import dev.veil.policy.trial.Asker;
import dev.veil.policy.trial.DatabaseUser;
import dev.veil.policy.trial.PolicyTrial;
import dev.veil.session.StatementAnalysis;
import dev.veil.upstream.UpstreamRegistry;
import dev.veil.upstream.UpstreamSettings;
import io.quarkus.qute.TemplateData;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The policy page's dry-run: what Veil would decide about a statement for someone, without running it, as
 * {@code POST /api/v1/decide} does ({@link PolicyTrial} over the pipeline's own analysis of the database's catalog).
 */
@ApplicationScoped
public class DryRun {
    private static final long WAIT_SECONDS = 30;

    /** The form as filled in (blank fields as null). */
    @TemplateData
    public record Ask(String identity, String role, String dialect, String database, String sql) {
        public Ask {
            identity = blankToNull(identity);
            role = blankToNull(role);
            dialect = blankToNull(dialect);
            database = blankToNull(database);
        }

        private static String blankToNull(String s) {
            return s == null || s.isBlank() ? null : s.strip();
        }
    }

    /** One statement's decision (the whole text's first, then each statement of a longer text). */
    @TemplateData
    public record Line(String sql, String kind, String relations, String verdict, String rule, String reason) {
    }

    @TemplateData
    public record Outcome(String verdict, String rule, String reason, String database, String databaseUser, List<Line> statements) {
    }

    /** The request cannot be decided; the message says which field and what it should be. */
    static final class Unanswerable extends Exception {
        Unanswerable(String message) {
            super(message);
        }
    }

    private final UpstreamRegistry upstreams;
    private final StatementAnalysis analysis;
    private final PolicyEngine engine;
    private final VeilConfig config;

    public DryRun(UpstreamRegistry upstreams, StatementAnalysis analysis, PolicyEngine engine, VeilConfig config) {
        this.upstreams = upstreams;
        this.analysis = analysis;
        this.engine = engine;
        this.config = config;
    }

    Outcome decide(Ask ask) throws Unanswerable {
        if (ask.sql() == null || ask.sql().isBlank()) {
            throw new Unanswerable("Enter the statement to decide.");
        }
        Dialect dialect;
        try {
            dialect = Dialect.valueOf(ask.dialect() == null ? "POSTGRESQL" : ask.dialect().strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new Unanswerable("The dialect is postgresql or mysql.");
        }
        Asker asker;
        try {
            asker = Asker.read(ask.identity() == null ? null : Map.of("subject", ask.identity()), ask.role());
        } catch (IllegalArgumentException e) {
            throw new Unanswerable(e.getMessage());
        }
        AdminUpstreams.Choice choice = AdminUpstreams.choose(upstreams, config, dialect, ask.database());
        if (choice.upstream().isEmpty()) {
            throw new Unanswerable("No " + dialect.name().toLowerCase(Locale.ROOT) + " upstream for "
                    + (ask.database() == null ? "the default database" : ask.database())
                    + ": name one as upstream/database, or configure the listener's default upstream.");
        }
        UpstreamSettings upstream = choice.upstream().get();
        String database = choice.database();
        LexicalSettings lexical = LexicalSettings.defaults(dialect);
        NameResolution names = dialect == Dialect.MYSQL ? NameResolution.mysql(database) : null;
        DatabaseUser user = DecideResource.databaseUser(asker, upstream, engine.policy());
        PolicyTrial.Verdict v;
        try {
            v = new PolicyTrial(engine).decide(dialect, database, asker.facts(user.readOnly()), ask.sql(),
                    text -> analyse(upstream, database, lexical, names, text));
        } catch (IllegalStateException e) {
            throw new Unanswerable(e.getMessage());
        }
        List<Line> lines = v.statements().stream()
                .map(p -> line(p.sql(), p.analysis(), p.decision())).toList();
        String dbUser = user.refusal() != null ? user.refusal() : user.user() == null ? "the upstream's own user" : user.user();
        return new Outcome(PolicyTrial.verdict(v.decision()), v.decision().rule(), PolicyTrial.reason(v.decision()),
                upstream.name() + "/" + database, dbUser, lines);
    }

    private static Line line(String sql, Analysis a, Decision d) {
        String relations = a.relations().stream().map(r -> r.qualified() + " (" + r.action().name().toLowerCase(Locale.ROOT) + ")")
                .collect(Collectors.joining(", "));
        return new Line(sql, a.kind().name(), relations, PolicyTrial.verdict(d), d.rule(), PolicyTrial.reason(d));
    }

    private Analysis analyse(UpstreamSettings upstream, String database, LexicalSettings lexical, NameResolution names, String sql) {
        try {
            return analysis.analyze(upstream, database, lexical, names, sql).toCompletionStage().toCompletableFuture()
                    .get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while analysing");
        } catch (Exception e) {
            throw new IllegalStateException("the statement could not be analysed in " + WAIT_SECONDS + " s: " + e.getMessage());
        }
    }
}
