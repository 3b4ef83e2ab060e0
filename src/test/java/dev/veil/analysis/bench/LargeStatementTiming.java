package dev.veil.analysis.bench;

import dev.veil.analysis.Analysis;
import dev.veil.analysis.Dialect;
import dev.veil.analysis.NameResolution;
import dev.veil.analysis.ShopCatalog;
import dev.veil.analysis.StatementAnalyzer;
import dev.veil.analysis.catalog.CatalogSnapshot;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.StringJoiner;

/**
 * Cache-miss analysis time of very large statements (bulk INSERTs with 50,000 parameters or 10,000 literal rows,
 * a 10,000-item IN list), per dialect: a measurement to read, not a test. The best of five runs, as the thread's
 * CPU time (what the analysis costs) and wall time (what a client waits on an idle machine). Run with the test
 * class path: {@code mvn dependency:build-classpath -Dmdep.outputFile=cp.txt -Dmdep.includeScope=test}, then
 * {@code java -cp target/classes:target/test-classes:$(cat cp.txt) dev.veil.analysis.bench.LargeStatementTiming}.
 */
public final class LargeStatementTiming {
    private LargeStatementTiming() {
    }

    public static void main(String[] args) {
        StatementAnalyzer analyzer = new StatementAnalyzer();
        for (Dialect d : Dialect.values()) {
            CatalogSnapshot catalog = d == Dialect.POSTGRESQL ? ShopCatalog.postgres() : ShopCatalog.mysql();
            NameResolution names = d == Dialect.POSTGRESQL ? NameResolution.postgres("shop") : NameResolution.mysql("shop");
            analyzer.analyze(d, catalog, names, "INSERT INTO orders (id, customer_id, amount, status, created_at) VALUES (1, 2, 3, 'x', now())");
            time(analyzer, d, catalog, names, "INSERT, 10,000 rows of 5 parameters", parameterRows(d, 10_000));
            time(analyzer, d, catalog, names, "INSERT, 10,000 literal rows", literalRows(10_000));
            time(analyzer, d, catalog, names, "SELECT … IN (10,000 parameters)", inList(d, 10_000));
        }
    }

    private static void time(StatementAnalyzer analyzer, Dialect d, CatalogSnapshot catalog, NameResolution names,
                             String what, String sql) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long bestCpu = Long.MAX_VALUE;
        long bestWall = Long.MAX_VALUE;
        Analysis a = null;
        for (int i = 0; i < 5; i++) {
            long cpu = threads.getCurrentThreadCpuTime();
            long wall = System.nanoTime();
            a = analyzer.analyze(d, catalog, names, sql);
            bestWall = Math.min(bestWall, System.nanoTime() - wall);
            bestCpu = Math.min(bestCpu, threads.getCurrentThreadCpuTime() - cpu);
        }
        System.out.printf("%-10s %-40s cpu %6d ms  wall %6d ms  %s %s%n", d, what, bestCpu / 1_000_000,
                bestWall / 1_000_000, a.kind(),
                a.failure().map(f -> "failed: " + f.substring(0, Math.min(120, f.length()))).orElse("analysed"));
    }

    static String parameterRows(Dialect d, int rows) {
        StringBuilder sql = new StringBuilder("INSERT INTO orders (id, customer_id, amount, status, created_at) VALUES ");
        int p = 1;
        for (int r = 0; r < rows; r++) {
            StringJoiner row = new StringJoiner(", ", r == 0 ? "(" : ", (", ")");
            for (int c = 0; c < 5; c++) {
                row.add(d == Dialect.POSTGRESQL ? "$" + p++ : "?");
            }
            sql.append(row);
        }
        return sql.toString();
    }

    static String literalRows(int rows) {
        StringBuilder sql = new StringBuilder("INSERT INTO orders (id, customer_id, amount, status, created_at) VALUES ");
        for (int r = 0; r < rows; r++) {
            sql.append(r == 0 ? "" : ", ").append('(').append(r).append(", ").append(r % 97).append(", ")
                    .append(r % 1000).append(".25, '").append(r % 2 == 0 ? "new" : "paid").append("', ")
                    .append(r % 3 == 0 ? "NULL" : "'2024-01-02 03:04:05'").append(')');
        }
        return sql.toString();
    }

    static String inList(Dialect d, int items) {
        StringJoiner in = new StringJoiner(", ", "SELECT email FROM customers WHERE id IN (", ")");
        for (int i = 1; i <= items; i++) {
            in.add(d == Dialect.POSTGRESQL ? "$" + i : "?");
        }
        return in.toString();
    }
}
