package dev.veil.policy;

import dev.veil.analysis.AnalysisCache;
import dev.veil.analysis.Dialect;
import dev.veil.analysis.NameResolution;
import dev.veil.analysis.ShopCatalog;
import dev.veil.analysis.StatementAnalyzer;
import dev.veil.identity.Identity;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** affected-rows-ceiling as the policy step sees it: which statements run under which ceiling, and its mistakes. */
class RowCeilingGuardrailTest {
    private final AnalysisCache analyses = new AnalysisCache(new StatementAnalyzer(), 100);
    private final PolicyEngine engine = PolicyEngine.builtIn();
    private final SessionFacts erin = new SessionFacts(new Identity("erin", List.of(), Identity.Source.LOCAL_ACCOUNT), "10.0.0.1", "psql");
    private final SessionFacts olga = new SessionFacts(new Identity("olga", List.of(), Identity.Source.LOCAL_ACCOUNT), "10.0.0.1", "psql");

    private static final String ROLES = """
            roles:
              engineer: {local-accounts: [erin]}
              ops: {local-accounts: [olga]}
            """;

    private void load(String guardrails) throws PolicyProblem {
        engine.install(PolicyParser.parse(ROLES + guardrails, "policy.yaml", "prod"));
    }

    private Decision decide(SessionFacts who, String sql) {
        return engine.decide(new StatementFacts(Dialect.POSTGRESQL, sql, false,
                analyses.analyze(Dialect.POSTGRESQL, ShopCatalog.postgres(), NameResolution.postgres("shop"), sql), who, "shop"));
    }

    private static RowCeiling ceiling(Decision d) {
        assertThat(d).isInstanceOf(Decision.Allow.class);
        return ((Decision.Allow) d).ceiling();
    }

    @Test
    void anUpdateOrDeleteOfItsRolesRunsUnderTheCeiling() throws Exception {
        load("guardrails:\n  affected-rows-ceiling: {roles: [engineer], max-rows: 100}\n");
        RowCeiling c = ceiling(decide(erin, "UPDATE orders SET status = 'x' WHERE customer_id = 7"));
        assertThat(c).isEqualTo(new RowCeiling("guardrail.affected-rows-ceiling", 100, Mode.ENFORCE));
        assertThat(ceiling(decide(erin, "DELETE FROM orders WHERE id = 7"))).isEqualTo(c);
        // reads, inserts and other roles take the old path
        assertThat(ceiling(decide(erin, "SELECT id FROM orders"))).isNull();
        assertThat(ceiling(decide(erin, "INSERT INTO orders (id, customer_id) VALUES (1, 2)"))).isNull();
        assertThat(ceiling(decide(olga, "DELETE FROM orders WHERE id = 7"))).isNull();
    }

    @Test
    void whatCannotBeCountedStatementByStatementIsRefused() throws Exception {
        load("guardrails:\n  affected-rows-ceiling: {max-rows: 10}\n");
        Decision text = decide(erin, "UPDATE orders SET status = 'x' WHERE id = 1; DELETE FROM orders WHERE id = 2");
        assertThat(text).isInstanceOf(Decision.Deny.class);
        assertThat(((Decision.Deny) text).reason()).startsWith("guardrail affected-rows-ceiling: Veil counts the rows")
                .contains("a text of 2 statements");
        Decision cte = decide(erin, "WITH d AS (DELETE FROM orders WHERE id = 1 RETURNING id) SELECT count(*) FROM d");
        assertThat(((Decision.Deny) cte).reason()).contains("inside a WITH");
    }

    @Test
    void inObserveModeTheCeilingIsCarriedToBeRecordedAndAnEnforcedOneWins() throws Exception {
        load("guardrails:\n  affected-rows-ceiling: {max-rows: 5, mode: observe}\n");
        assertThat(ceiling(decide(erin, "DELETE FROM orders WHERE id = 7")).observe()).isTrue();
        Decision text = decide(erin, "DELETE FROM orders WHERE id = 1; DELETE FROM orders WHERE id = 2");
        assertThat(text).isInstanceOf(Decision.Allow.class);
        assertThat(text.observed()).extracting(Decision.Observation::rule).containsExactly("guardrail.affected-rows-ceiling");
    }

    @Test
    void aConditionScopesIt() throws Exception {
        load("guardrails:\n  affected-rows-ceiling: {max-rows: 5, when: 'statement.relations.exists(r, r.relation == \"customers\")'}\n");
        assertThat(ceiling(decide(erin, "DELETE FROM orders WHERE id = 7"))).isNull();
        assertThat(ceiling(decide(erin, "DELETE FROM customers WHERE id = 7")).maxRows()).isEqualTo(5);
    }

    @Test
    void maxRowsMistakesAreNamedWithTheirPlace() {
        PolicyProblem p = catchThrowableOfType(() -> load("""
                guardrails:
                  affected-rows-ceiling: {roles: [engineer], max-rows: lots}
                  delete-without-where: {max-rows: 5}
                """), PolicyProblem.class);
        assertThat(p.getMessage()).contains("policy.yaml:5:56: guardrail affected-rows-ceiling: max-rows: \"lots\" is not a "
                        + "number of rows; write a whole number, 0 or more (max-rows: 1000)")
                .contains("policy.yaml:6:26: guardrail delete-without-where: max-rows is an option of affected-rows-ceiling only");
        PolicyProblem missing = catchThrowableOfType(() -> load("guardrails:\n  affected-rows-ceiling: {roles: [engineer]}\n"),
                PolicyProblem.class);
        assertThat(missing.getMessage()).contains("policy.yaml:5:26: guardrail affected-rows-ceiling: needs max-rows");
        PolicyProblem bare = catchThrowableOfType(() -> load("guardrails:\n  affected-rows-ceiling:\n"), PolicyProblem.class);
        assertThat(bare.getMessage()).contains("guardrail affected-rows-ceiling: needs max-rows");
        PolicyProblem negative = catchThrowableOfType(() -> load("guardrails:\n  affected-rows-ceiling: {max-rows: -1}\n"),
                PolicyProblem.class);
        assertThat(negative.getMessage()).contains("max-rows: \"-1\" is not a number of rows");
        PolicyProblem approval = catchThrowableOfType(() -> load(
                "guardrails:\n  affected-rows-ceiling: {max-rows: 1, outcome: require-approval}\n"), PolicyProblem.class);
        assertThat(approval.getMessage()).contains("use deny");
    }
}
