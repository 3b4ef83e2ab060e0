package dev.veil.policy;

import dev.veil.analysis.AnalysisCache;
import dev.veil.analysis.Dialect;
import dev.veil.analysis.NameResolution;
import dev.veil.analysis.ShopCatalog;
import dev.veil.analysis.StatementAnalyzer;
import dev.veil.identity.Identity;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A change an AI agent proposes: its read-only default is what an approval lifts, and nothing else; what the
 * policy file or a guardrail refuses stays refused with its rule.
 */
class AgentChangesTest {
    private final AnalysisCache analyses = new AnalysisCache(new StatementAnalyzer(), 100);
    private final PolicyEngine engine = PolicyEngine.builtIn();

    private static final Identity AGENT = new Identity("agent-x", List.of("analyst"), Identity.Source.SERVICE_ACCOUNT, "kc",
            null, List.of(), Map.of(), Identity.Kind.AGENT, new Identity.Machine("agent-x", "alice@example.com", null, false, 0));

    private Decision propose(String sql) {
        SessionFacts who = new SessionFacts(AGENT, "10.0.0.1", AgentChanges.APPLICATION);
        return AgentChanges.decide(engine, new StatementFacts(Dialect.POSTGRESQL, sql, false,
                analyses.analyze(Dialect.POSTGRESQL, ShopCatalog.postgres(), NameResolution.postgres("shop"), sql), who, "shop"));
    }

    private void policy(String yaml) throws PolicyProblem {
        engine.install(PolicyParser.parse(yaml, "policy.yaml", "prod"));
    }

    @Test
    void aChangeThePolicyAllowsNeedsItsOwnersApproval() throws Exception {
        policy("""
                roles:
                  analyst: {configured-roles: [analyst]}
                default:
                  known-identity: {outcome: allow}
                """);
        Decision d = propose("UPDATE orders SET status = 'shipped' WHERE id = 7");
        assertThat(d).isInstanceOfSatisfying(Decision.RequireApproval.class, r -> {
            assertThat(r.rule()).isEqualTo(AgentChanges.RULE);
            assertThat(r.reason()).contains("agent-x").contains("alice@example.com");
        });
        // Outside a proposal the same agent is still refused by its read-only default.
        Decision plain = engine.decide(new StatementFacts(Dialect.POSTGRESQL, "DELETE FROM orders WHERE id = 7", false,
                analyses.analyze(Dialect.POSTGRESQL, ShopCatalog.postgres(), NameResolution.postgres("shop"),
                        "DELETE FROM orders WHERE id = 7"), new SessionFacts(AGENT, "10.0.0.1", "psql"), "shop"));
        assertThat(plain.rule()).isEqualTo("builtin.agent-read-only");
    }

    @Test
    void aDenyOfThePolicyOrAGuardrailStaysADenyWithItsRule() throws Exception {
        policy("""
                roles:
                  analyst: {configured-roles: [analyst]}
                guardrails:
                  delete-without-where: {roles: [analyst]}
                rules:
                  - name: no-customers
                    when: 'statement.relations.exists(r, r.relation == "customers")'
                    outcome: deny
                    reason: customers are off limits
                default:
                  known-identity: {outcome: allow}
                """);
        assertThat(propose("DELETE FROM orders").rule()).isEqualTo("guardrail.delete-without-where");
        assertThat(propose("DELETE FROM orders")).isInstanceOf(Decision.Deny.class);
        assertThat(propose("DELETE FROM customers WHERE id = 1")).isInstanceOfSatisfying(Decision.Deny.class,
                d -> assertThat(d.rule()).isEqualTo("no-customers"));
    }

    @Test
    void aRulesOwnRequireApprovalKeepsItsApprovers() throws Exception {
        policy("""
                roles:
                  analyst: {configured-roles: [analyst]}
                rules:
                  - name: drops-need-two
                    when: '"drop" in statement.actions'
                    outcome: require-approval
                    reason: two people drop tables
                    approvers: {roles: [dba], count: 2}
                default:
                  known-identity: {outcome: allow}
                """);
        assertThat(propose("DROP TABLE orders")).isInstanceOfSatisfying(Decision.RequireApproval.class, r -> {
            assertThat(r.rule()).isEqualTo("drops-need-two");
            assertThat(r.demand().roles()).containsExactly("dba");
            assertThat(r.demand().count()).isEqualTo(2);
        });
    }

    @Test
    void severalStatementsAReadOrWhatVeilCannotAnalyseIsNotAProposal() {
        for (String sql : List.of("UPDATE orders SET status = 'x' WHERE id = 1; DELETE FROM orders WHERE id = 2",
                "SELECT * FROM orders", "UPDATE nowhere SET x = 1 WHERE y = 2 AND (")) {
            assertThat(propose(sql)).as(sql).isInstanceOfSatisfying(Decision.Deny.class,
                    d -> assertThat(d.rule()).isEqualTo(AgentChanges.RULE));
        }
        assertThat(((Decision.Deny) propose("SELECT * FROM orders")).reason()).contains("run_read_query");
        assertThat(((Decision.Deny) propose("SELECT 1; DELETE FROM orders WHERE id = 2")).reason()).contains("one statement");
    }
}
