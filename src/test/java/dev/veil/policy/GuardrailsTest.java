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
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Guardrails as a policy file configures them: scope, mode, outcome, protection, fail closed, mistakes. */
class GuardrailsTest {
    private final AnalysisCache analyses = new AnalysisCache(new StatementAnalyzer(), 100);
    private final PolicyEngine engine = PolicyEngine.builtIn();
    private final SessionFacts erin = new SessionFacts(new Identity("erin", List.of(), Identity.Source.LOCAL_ACCOUNT), "10.0.0.1", "psql");
    private final SessionFacts ops = new SessionFacts(new Identity("olga", List.of(), Identity.Source.LOCAL_ACCOUNT), "10.0.0.1", "psql");

    private static final String ROLES = """
            roles:
              engineer: {local-accounts: [erin]}
              ops: {local-accounts: [olga]}
            """;

    private void load(String environment, String guardrails) throws PolicyProblem {
        engine.install(PolicyParser.parse(environment + ROLES + guardrails, "policy.yaml", "prod"));
    }

    private Decision decide(SessionFacts who, String sql) {
        return engine.decide(new StatementFacts(Dialect.POSTGRESQL, sql, false,
                analyses.analyze(Dialect.POSTGRESQL, ShopCatalog.postgres(), NameResolution.postgres("shop"), sql), who, "shop"));
    }

    @Test
    void aGuardrailAppliesToItsRolesOnly() throws Exception {
        load("", "guardrails:\n  delete-without-where: {roles: [engineer]}\n");
        Decision d = decide(erin, "DELETE FROM orders");
        assertThat(d).isInstanceOf(Decision.Deny.class);
        assertThat(((Decision.Deny) d).code()).isEqualTo(ErrorCode.POLICY_DENIED);
        assertThat(decide(ops, "DELETE FROM orders")).isInstanceOf(Decision.Allow.class);
    }

    @Test
    void anObservedGuardrailRecordsWhatItWouldHaveRefused() throws Exception {
        load("", "guardrails:\n  delete-without-where: {mode: observe}\n");
        Decision d = decide(erin, "DELETE FROM orders");
        assertThat(d).isInstanceOf(Decision.Allow.class);
        assertThat(d.observed()).extracting(Decision.Observation::rule).containsExactly("guardrail.delete-without-where");
        assertThat(d.observed().get(0).wouldHave()).isInstanceOf(Decision.Deny.class);
        // only observed guardrails: fail closed is observed too
        assertThat(decide(erin, "SELEKT 1").observed()).extracting(Decision.Observation::rule).containsExactly("guardrail.unanalysed");
    }

    @Test
    void whatVeilCannotAnalyseIsRefusedForRolesUnderGuardrailsOnly() throws Exception {
        load("", "guardrails:\n  dynamic-sql: {roles: [engineer]}\n");
        Decision d = decide(erin, "SELEKT * FROM orders");
        assertThat(d.rule()).isEqualTo("guardrail.unanalysed");
        assertThat(((Decision.Deny) d).reason()).startsWith("guardrail unanalysed: Veil could not analyse this statement (parse:")
                .contains("fail closed");
        assertThat(decide(ops, "SELEKT * FROM orders")).isInstanceOf(Decision.Allow.class);
        // a prepared statement Veil holds no analysis of
        Decision none = engine.decide(new StatementFacts(Dialect.POSTGRESQL, "x", false, null, erin, "shop"));
        assertThat(none.rule()).isEqualTo("guardrail.unanalysed");
    }

    @Test
    void destructiveDdlStartsAtItsProtectionLevel() throws Exception {
        load("environment: {protection: low}\n", "guardrails:\n  destructive-ddl: {min-protection: medium}\n");
        assertThat(decide(erin, "DROP TABLE orders")).isInstanceOf(Decision.Allow.class);
        load("environment: {protection: medium}\n", "guardrails:\n  destructive-ddl: {min-protection: medium}\n");
        Decision d = decide(erin, "DROP TABLE orders");
        assertThat(((Decision.Deny) d).reason()).isEqualTo("guardrail destructive-ddl: DROP TABLE on public.orders drops, "
                + "empties or changes a schema object in environment prod (protection medium); run it through your "
                + "migration process or ask for approval");
        // MySQL's TRUNCATE needs no TABLE: the table's name is not taken for the kind of object
        String mysql = "TRUNCATE orders";
        Decision truncate = engine.decide(new StatementFacts(Dialect.MYSQL, mysql, false,
                analyses.analyze(Dialect.MYSQL, ShopCatalog.mysql(), NameResolution.mysql("shop"), mysql), erin, "shop"));
        assertThat(((Decision.Deny) truncate).reason()).startsWith("guardrail destructive-ddl: TRUNCATE ")
                .doesNotContainIgnoringCase("TRUNCATE ORDERS drops");
    }

    @Test
    void aGuardrailMayAskForApprovalAndBeScopedByACondition() throws Exception {
        load("", """
                guardrails:
                  privilege-changes:
                    outcome: require-approval
                    when: 'request.application != "migrations"'
                """);
        assertThat(decide(erin, "GRANT ALL ON orders TO PUBLIC")).isInstanceOf(Decision.RequireApproval.class);
        SessionFacts migrations = new SessionFacts(erin.identity(), "10.0.0.1", "migrations");
        assertThat(decide(migrations, "GRANT ALL ON orders TO PUBLIC")).isInstanceOf(Decision.Allow.class);
    }

    @Test
    void guardrailsComeBeforeTheFilesRules() throws Exception {
        load("", """
                guardrails:
                  delete-without-where:
                rules:
                  - {name: everything, when: 'true', outcome: allow}
                """);
        assertThat(decide(erin, "DELETE FROM orders").rule()).isEqualTo("guardrail.delete-without-where");
    }

    @Test
    void mistakesInTheSectionAreNamedWithTheirPlace() {
        PolicyProblem p = catchThrowableOfType(() -> load("", """
                guardrails:
                  delete-without-wehre: {roles: [engineer]}
                  update-without-where: {roles: [enginer], mode: watch, min-protection: high}
                  destructive-ddl: {outcome: allow}
                """), PolicyProblem.class);
        assertThat(p.getMessage()).contains("5:3: guardrails: \"delete-without-wehre\" is not a guardrail; Veil has unanalysed, destructive-ddl")
                .contains("guardrail update-without-where: roles: \"enginer\" is not a role of this file")
                .contains("guardrail update-without-where: mode: \"watch\" is not a mode")
                .contains("min-protection is an option of destructive-ddl only")
                .contains("guardrail destructive-ddl: outcome \"allow\"");
    }

    @Test
    void readOnlyEscapesOfBothDialectsAreFound() throws Exception {
        load("", "guardrails:\n  transaction-mode: {roles: [engineer]}\n");
        for (String sql : List.of("SET SESSION TRANSACTION READ WRITE", "SET tx_read_only = 0", "SET @@session.transaction_read_only = 0",
                "START TRANSACTION READ WRITE", "SET TRANSACTION ISOLATION LEVEL READ COMMITTED, READ WRITE")) {
            Decision d = engine.decide(new StatementFacts(Dialect.MYSQL, sql, false, analyses.analyze(Dialect.MYSQL,
                    ShopCatalog.mysql(), NameResolution.mysql("shop"), sql), erin, "shop"));
            assertThat(d.rule()).as(sql).isEqualTo("guardrail.transaction-mode");
        }
        for (String sql : List.of("SET TRANSACTION READ WRITE", "RESET default_transaction_read_only", "RESET ALL",
                "SET SESSION default_transaction_read_only TO off", "START TRANSACTION READ WRITE")) {
            assertThat(decide(erin, sql).rule()).as(sql).isEqualTo("guardrail.transaction-mode");
        }
        for (String sql : List.of("SET TRANSACTION READ ONLY", "BEGIN", "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE",
                "SHOW transaction_read_only", "SHOW default_transaction_read_only")) {
            assertThat(decide(erin, sql)).as(sql).isInstanceOf(Decision.Allow.class);
        }
    }

    @Test
    void ruleNamesOfGuardrailsAreReserved() {
        PolicyProblem p = catchThrowableOfType(() -> load("", """
                rules:
                  - {name: guardrail.mine, when: 'true', outcome: allow}
                """), PolicyProblem.class);
        assertThat(p.getMessage()).contains("is reserved for Veil's own rules");
    }
}
