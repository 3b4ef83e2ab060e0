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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A session on a read-only database user keeps its transactions read-only: the transaction-mode guardrail's
 * checks apply to it from Veil's built-in rules, with no policy file and whatever one says.
 */
class ReadOnlyDatabaseUserRuleTest {
    private final AnalysisCache analyses = new AnalysisCache(new StatementAnalyzer(), 100);
    private final PolicyEngine engine = PolicyEngine.builtIn();
    private final Identity ann = new Identity("ann", List.of("analyst"), Identity.Source.LOCAL_ACCOUNT);
    private final SessionFacts readOnly = new SessionFacts(ann, "10.0.0.1", "psql", true);
    private final SessionFacts writer = new SessionFacts(ann, "10.0.0.1", "psql", false);

    private Decision decide(Dialect dialect, SessionFacts who, String sql) {
        var catalog = dialect == Dialect.POSTGRESQL ? ShopCatalog.postgres() : ShopCatalog.mysql();
        var names = dialect == Dialect.POSTGRESQL ? NameResolution.postgres("shop") : NameResolution.mysql("shop");
        return engine.decide(new StatementFacts(dialect, sql, false, analyses.analyze(dialect, catalog, names, sql), who, "shop"));
    }

    @Test
    void waysOutOfReadOnlyAreRefusedOnBothWiresWithoutAPolicy() {
        for (String sql : List.of("SET default_transaction_read_only = off", "SET SESSION default_transaction_read_only TO off",
                "RESET default_transaction_read_only", "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE",
                "BEGIN READ WRITE", "START TRANSACTION READ WRITE", "SELECT set_config('default_transaction_read_only', 'off', false)",
                "SET transaction_read_only = off", "RESET ALL", "SELECT 1; SET default_transaction_read_only = off")) {
            Decision d = decide(Dialect.POSTGRESQL, readOnly, sql);
            assertThat(d).as(sql).isInstanceOfSatisfying(Decision.Deny.class, deny -> {
                assertThat(deny.rule()).isEqualTo("guardrail.transaction-mode");
                assertThat(deny.code()).isEqualTo(ErrorCode.POLICY_DENIED);
                assertThat(deny.reason()).startsWith("guardrail transaction-mode: ").contains("database user is read-only");
            });
            assertThat(decide(Dialect.POSTGRESQL, writer, sql)).as(sql).isInstanceOf(Decision.Allow.class);
        }
        for (String sql : List.of("SET SESSION TRANSACTION READ WRITE", "SET TRANSACTION READ WRITE",
                "SET @@session.transaction_read_only = 0", "SET tx_read_only = 0", "START TRANSACTION READ WRITE")) {
            assertThat(decide(Dialect.MYSQL, readOnly, sql).rule()).as(sql).isEqualTo("guardrail.transaction-mode");
            assertThat(decide(Dialect.MYSQL, writer, sql)).as(sql).isInstanceOf(Decision.Allow.class);
        }
    }

    @Test
    void textVeilDoesNotSeeBeforeItRunsIsRefusedToo() {
        Decision d = decide(Dialect.POSTGRESQL, readOnly, "DO $$BEGIN EXECUTE format('SET %s = off', $1); END$$");
        assertThat(d.rule()).isEqualTo("guardrail.dynamic-sql");
        assertThat(((Decision.Deny) d).reason()).contains("database user is read-only");
        assertThat(decide(Dialect.MYSQL, readOnly, "PREPARE s FROM 'SET SESSION TRANSACTION READ WRITE'").rule())
                .isEqualTo("guardrail.dynamic-sql");
        assertThat(decide(Dialect.POSTGRESQL, writer, "DO $$BEGIN NULL; END$$")).isInstanceOf(Decision.Allow.class);
    }

    @Test
    void readsAndLookingAtTheModeStayAllowed() {
        for (String sql : List.of("SELECT * FROM orders", "SHOW transaction_read_only", "BEGIN", "BEGIN READ ONLY",
                "SET search_path = public", "COMMIT")) {
            assertThat(decide(Dialect.POSTGRESQL, readOnly, sql)).as(sql).isInstanceOf(Decision.Allow.class);
        }
        assertThat(decide(Dialect.MYSQL, readOnly, "SELECT @@transaction_read_only")).isInstanceOf(Decision.Allow.class);
    }
}
