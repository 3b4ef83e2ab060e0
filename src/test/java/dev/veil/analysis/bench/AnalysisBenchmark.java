package dev.veil.analysis.bench;

import dev.veil.analysis.AnalysisCache;
import dev.veil.analysis.Analysis;
import dev.veil.analysis.Dialect;
import dev.veil.analysis.NameResolution;
import dev.veil.analysis.ShopCatalog;
import dev.veil.analysis.StatementAnalyzer;
import dev.veil.analysis.catalog.CatalogSnapshot;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Cost of one statement analysis (cache miss: tokenize, parse, validate, plan, lineage) and of a cache hit
 * (tokenize and fingerprint, then a lookup), over a mix of realistic PostgreSQL statements. Run with
 * {@code make bench} (bench/analysis-bench.sh); SampleTime mode reports p50 / p99.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class AnalysisBenchmark {
    static final List<String> STATEMENTS = List.of(
            "SELECT id, email FROM customers WHERE id = $1",
            "SELECT c.full_name, sum(o.amount) FROM customers c JOIN orders o ON o.customer_id = c.id GROUP BY c.full_name",
            "SELECT upper(email) AS e, count(*) FROM customers GROUP BY 1 ORDER BY 2 DESC LIMIT 10",
            "SELECT (SELECT max(card_number) FROM customers c WHERE c.id = o.customer_id) AS card FROM orders o",
            "SELECT email FROM customers WHERE id IN (SELECT customer_id FROM orders WHERE amount > 100)",
            "SELECT * FROM customer_contacts WHERE full_name ILIKE 'a%'",
            "WITH t AS (SELECT customer_id, sum(amount) s FROM orders GROUP BY customer_id) SELECT c.ssn, t.s FROM customers c JOIN t ON t.customer_id = c.id",
            "SELECT email, rank() OVER (PARTITION BY city ORDER BY created_at) FROM customers",
            "UPDATE customers SET phone = $1 WHERE id = $2 RETURNING email",
            "INSERT INTO orders (id, customer_id, amount, status, created_at) VALUES ($1, $2, $3, $4, now()) ON CONFLICT (id) DO UPDATE SET status = excluded.status",
            "DELETE FROM orders WHERE status = 'cancelled' AND created_at < now() - interval '1 year'",
            "SELECT n.nspname, c.relname FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r','v') AND pg_catalog.pg_table_is_visible(c.oid)",
            "BEGIN", "SET search_path TO public", "SHOW server_version", "COMMIT");

    private final StatementAnalyzer analyzer = new StatementAnalyzer();
    private final CatalogSnapshot catalog = ShopCatalog.postgres();
    private final NameResolution names = NameResolution.postgres("shop");
    private AnalysisCache cache;
    private int next;

    @Setup
    public void warm() {
        cache = new AnalysisCache(analyzer, 1000);
        STATEMENTS.forEach(s -> cache.analyze(Dialect.POSTGRESQL, catalog, names, s));
    }

    private String nextStatement() {
        next = (next + 1) % STATEMENTS.size();
        return STATEMENTS.get(next);
    }

    @Benchmark
    public Analysis cacheMiss() {
        return analyzer.analyze(Dialect.POSTGRESQL, catalog, names, nextStatement());
    }

    @Benchmark
    public Analysis cacheHit() {
        return cache.analyze(Dialect.POSTGRESQL, catalog, names, nextStatement());
    }
}
