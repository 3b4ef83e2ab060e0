package dev.veil.policy;

import dev.veil.analysis.AnalysisCache;
import dev.veil.analysis.Dialect;
import dev.veil.analysis.NameResolution;
import dev.veil.analysis.ShopCatalog;
import dev.veil.analysis.StatementAnalyzer;
import dev.veil.error.ErrorCode;
import dev.veil.identity.Identity;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An AI agent only reads unless its configuration lets it write: judged on the analysis of every statement of a
 * text, so the bypasses that fool a first-keyword check are refused, with no policy file.
 */
class AgentReadOnlyRuleTest {
    private final AnalysisCache analyses = new AnalysisCache(new StatementAnalyzer(), 100);
    private final PolicyEngine engine = PolicyEngine.builtIn();

    private static SessionFacts agent(boolean allowWrites) {
        Identity id = new Identity("agent-x", List.of("analyst"), Identity.Source.SERVICE_ACCOUNT, "kc", null, List.of(), Map.of(),
                Identity.Kind.AGENT, new Identity.Machine("agent-x", "alice@example.com", null, allowWrites, 0));
        return new SessionFacts(id, "10.0.0.1", "veil-mcp:run_read_query");
    }

    private static final SessionFacts PERSON = new SessionFacts(new Identity("ann", List.of("analyst"),
            Identity.Source.OIDC_TOKEN), "10.0.0.1", "psql");

    private Decision decide(Dialect dialect, SessionFacts who, String sql) {
        var catalog = dialect == Dialect.POSTGRESQL ? ShopCatalog.postgres() : ShopCatalog.mysql();
        var names = dialect == Dialect.POSTGRESQL ? NameResolution.postgres("shop") : NameResolution.mysql("shop");
        return engine.decide(new StatementFacts(dialect, sql, false, analyses.analyze(dialect, catalog, names, sql), who, "shop"));
    }

    @Test
    void theBypassesOfAFirstKeywordCheckAreRefused() {
        for (String sql : List.of("WITH gone AS (DELETE FROM orders RETURNING id) SELECT * FROM gone",
                "COMMIT; DROP TABLE orders", "SELECT 1; DELETE FROM orders", "/* SELECT */ DELETE FROM orders WHERE id = 1",
                "-- SELECT\nUPDATE orders SET status = 'x' WHERE id = 1", "SET TRANSACTION READ WRITE", "BEGIN READ WRITE",
                "EXPLAIN ANALYZE DELETE FROM orders", "DO $$BEGIN DELETE FROM orders; END$$", "COPY orders TO '/tmp/orders'",
                "CREATE TABLE t (id int)", "GRANT SELECT ON orders TO PUBLIC", "SELECT pg_terminate_backend(1)",
                "SET default_transaction_read_only = off", "VACUUM orders")) {
            assertThat(decide(Dialect.POSTGRESQL, agent(false), sql)).as(sql).isInstanceOfSatisfying(Decision.Deny.class, d -> {
                assertThat(d.rule()).isEqualTo("builtin.agent-read-only");
                assertThat(d.code()).isEqualTo(ErrorCode.POLICY_DENIED);
                assertThat(d.reason()).startsWith("builtin.agent-read-only: ").contains("allow-writes");
            });
        }
        for (String sql : List.of("DELETE FROM orders WHERE id = 1", "SET TRANSACTION READ WRITE",
                "SELECT 1; UPDATE orders SET status = 'x' WHERE id = 1")) {
            assertThat(decide(Dialect.MYSQL, agent(false), sql).rule()).as(sql).isEqualTo("builtin.agent-read-only");
        }
    }

    @Test
    void aTextIsRefusedWholeNamingTheStatementThatWrites() {
        Decision.Deny d = (Decision.Deny) decide(Dialect.POSTGRESQL, agent(false), "SELECT 1; DELETE FROM orders");
        assertThat(d.reason()).contains("statement 2 of 2");
    }

    @Test
    void readsStayAllowed() {
        for (String sql : List.of("SELECT * FROM orders", "SELECT 1; SELECT 2", "BEGIN",
                "BEGIN READ ONLY", "COMMIT", "SHOW search_path", "SET search_path = public", "SHOW transaction_read_only")) {
            assertThat(decide(Dialect.POSTGRESQL, agent(false), sql)).as(sql).isInstanceOf(Decision.Allow.class);
        }
        assertThat(decide(Dialect.MYSQL, agent(false), "SELECT * FROM orders")).isInstanceOf(Decision.Allow.class);
    }

    @Test
    void aPlainExplainOfAReadIsAllowedButExplainAnalyzeOfAWriteIsNot() {
        for (String sql : List.of("EXPLAIN SELECT * FROM orders", "EXPLAIN (FORMAT JSON) SELECT id FROM orders WHERE id = 1",
                "EXPLAIN ANALYZE SELECT * FROM orders")) {
            assertThat(decide(Dialect.POSTGRESQL, agent(false), sql)).as(sql).isInstanceOf(Decision.Allow.class);
        }
        for (String sql : List.of("EXPLAIN ANALYZE DELETE FROM orders", "EXPLAIN ANALYZE UPDATE orders SET status = 'x' WHERE id = 1",
                "EXPLAIN SELECT 1; DELETE FROM orders")) {
            assertThat(decide(Dialect.POSTGRESQL, agent(false), sql).rule()).as(sql).isEqualTo("builtin.agent-read-only");
        }
        assertThat(decide(Dialect.POSTGRESQL, agent(false), "LOCK TABLE orders").rule()).isEqualTo("builtin.agent-read-only");
    }

    @Test
    void anAgentAllowedToWriteAndAPersonAreLeftToThePolicy() {
        for (SessionFacts who : List.of(agent(true), PERSON)) {
            assertThat(decide(Dialect.POSTGRESQL, who, "DELETE FROM orders WHERE id = 1")).isInstanceOf(Decision.Allow.class);
        }
    }
}
