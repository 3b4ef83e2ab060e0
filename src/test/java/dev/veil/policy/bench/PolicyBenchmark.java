package dev.veil.policy.bench;

import dev.veil.analysis.Analysis;
import dev.veil.analysis.AnalysisCache;
import dev.veil.analysis.Dialect;
import dev.veil.analysis.NameResolution;
import dev.veil.analysis.ShopCatalog;
import dev.veil.analysis.StatementAnalyzer;
import dev.veil.identity.Identity;
import dev.veil.policy.Decision;
import dev.veil.policy.PolicyEngine;
import dev.veil.policy.PolicyParser;
import dev.veil.policy.SessionFacts;
import dev.veil.policy.StatementFacts;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Cost of one policy decision under docs/policy.md's example policy (six rules, CEL conditions) for an engineer:
 * a cache hit (a statement shape decided before for the same roles: a lookup) and a cache miss (the built-in
 * rules, then every rule's condition evaluated until one decides). Statements are analysed once, beforehand:
 * this is the decision step alone. Run with {@code make bench-policy} (bench/policy-bench.sh); SampleTime
 * mode reports p50 / p99.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PolicyBenchmark {
    static final List<String> STATEMENTS = List.of(
            "SELECT id, email FROM customers WHERE id = $1",
            "SELECT c.full_name, sum(o.amount) FROM customers c JOIN orders o ON o.customer_id = c.id GROUP BY c.full_name",
            "SELECT email FROM customers WHERE id IN (SELECT customer_id FROM orders WHERE amount > 100)",
            "UPDATE customers SET phone = $1 WHERE id = $2 RETURNING email",
            "INSERT INTO orders (id, customer_id, amount, status, created_at) VALUES ($1, $2, $3, $4, now())",
            "DELETE FROM orders WHERE status = 'cancelled'",
            "ALTER TABLE orders ADD COLUMN note text",
            "BEGIN", "SET search_path TO public", "COMMIT");

    private static final SessionFacts ENGINEER = new SessionFacts(
            new Identity("breakglass", List.of(), Identity.Source.LOCAL_ACCOUNT), "10.0.0.7", "psql");

    /** The engine with the example policy in force, and the statements' analyses, each decided once. */
    @State(Scope.Benchmark)
    public static class Policy {
        PolicyEngine engine;
        Analysis[] analyses;

        @Setup
        public void load() throws Exception {
            String page = Files.readString(Path.of("docs", "policy.md"));
            int start = page.indexOf("```yaml\n") + "```yaml\n".length();
            engine = PolicyEngine.builtIn();
            engine.install(PolicyParser.parse(page.substring(start, page.indexOf("```", start)), "policy.yaml", "prod"));
            AnalysisCache cache = new AnalysisCache(new StatementAnalyzer(), 100);
            analyses = STATEMENTS.stream().map(s -> cache.analyze(Dialect.POSTGRESQL, ShopCatalog.postgres(),
                    NameResolution.postgres("shop"), s)).toArray(Analysis[]::new);
            for (Analysis a : analyses) {
                engine.decide(facts(a));
            }
        }
    }

    /**
     * A copy of the next statement's analysis, made before each call (outside the time measured) and never decided
     * before: its decision is not in the cache (decisions are kept per analysis object, as the analysis cache
     * shares one per statement shape).
     */
    @State(Scope.Thread)
    public static class Fresh {
        int next;
        Analysis analysis;

        @Setup(Level.Invocation)
        public void copy(Policy p) {
            next = (next + 1) % p.analyses.length;
            Analysis a = p.analyses[next];
            analysis = new Analysis(a.dialect(), a.kind(), a.relations(), a.columns(), a.otherColumns(), a.writes(), a.uses(),
                    a.usesComplete(), a.fingerprint(), a.failure());
        }
    }

    private int next;

    private static StatementFacts facts(Analysis a) {
        return new StatementFacts(Dialect.POSTGRESQL, "", false, a, ENGINEER, "shop");
    }

    @Benchmark
    public Decision cacheHit(Policy p) {
        next = (next + 1) % p.analyses.length;
        return p.engine.decide(facts(p.analyses[next]));
    }

    @Benchmark
    public Decision cacheMiss(Policy p, Fresh fresh) {
        return p.engine.decide(facts(fresh.analysis));
    }
}
