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

/**
 * What a statement held for approval runs under once approved ({@link PolicyEngine#decideApproved}): the decision
 * with the rules holding it passed over, so the identity's masking and the mask rules' refusals, never a clear result.
 */
class ApprovedDecisionTest {
    private static final String POLICY = """
            roles:
              engineer: {configured-roles: [engineer]}
            tags:
              - column: public.customers.ssn
                set: [national_id]
            guardrails:
              affected-rows-ceiling: {roles: [engineer], max-rows: 3}
            rules:
              - name: customers-need-approval
                when: 'statement.relations.exists(r, r.relation == "customers")'
                outcome: require-approval
                reason: customer data needs an approval
              - name: ssn-masked
                when: '"engineer" in identity.roles && statement.relations.exists(r, r.relation == "customers")'
                outcome: mask
                mask:
                  - {tag: national_id, masker: partial(4)}
            default:
              known-identity: {outcome: require-approval, reason: everything else needs an approval}
            """;

    private final AnalysisCache analyses = new AnalysisCache(new StatementAnalyzer(), 100);
    private final PolicyEngine engine = PolicyEngine.builtIn();

    ApprovedDecisionTest() throws Exception {
        engine.install(PolicyParser.parse(POLICY, "policy.yaml", "dev"));
    }

    private StatementFacts facts(String sql) {
        SessionFacts who = new SessionFacts(new Identity("eng", List.of("engineer"), Identity.Source.LOCAL_ACCOUNT),
                "127.0.0.1", "psql", false, List.of());
        return new StatementFacts(Dialect.POSTGRESQL, sql, false, analyses.analyze(Dialect.POSTGRESQL, ShopCatalog.postgres(),
                NameResolution.postgres("shop"), sql), who, "shop");
    }

    @Test
    void anApprovedReadOrReturningIsMaskedAsWithoutTheHold() {
        for (String sql : List.of("SELECT id, ssn FROM customers", "UPDATE customers SET city = 'x' WHERE id = 1 RETURNING ssn")) {
            assertThat(engine.decide(facts(sql))).as(sql).isInstanceOf(Decision.RequireApproval.class);
            Decision approved = engine.decideApproved(facts(sql));
            assertThat(approved).as(sql).isInstanceOf(Decision.Allow.class);
            assertThat(((Decision.Allow) approved).masking().columns()).extracting(MaskingPlan.ColumnMask::name)
                    .containsExactly("ssn");
        }
    }

    @Test
    void aMaskRulesRefusalStandsOnAnApproval() {
        Decision approved = engine.decideApproved(facts("UPDATE customers SET city = ssn WHERE id = 1"));
        assertThat(approved).isInstanceOf(Decision.Deny.class);
        assertThat(approved.rule()).isEqualTo("ssn-masked");
        assertThat(((Decision.Deny) approved).reason()).contains("an approval does not lift this");
    }

    @Test
    void anApprovedStatementRunsWithoutTheAffectedRowsCeiling() {
        String sql = "UPDATE orders SET status = 'paid' WHERE id > 1";
        assertThat(engine.decide(facts(sql))).isInstanceOf(Decision.RequireApproval.class);
        Decision approved = engine.decideApproved(facts(sql));
        assertThat(approved).isInstanceOf(Decision.Allow.class);
        assertThat(((Decision.Allow) approved).ceiling()).isNull();
    }

    @Test
    void theApprovedDecisionIsNotCachedForTheHeldOne() {
        String sql = "SELECT ssn FROM customers";
        engine.decideApproved(facts(sql));
        assertThat(engine.decide(facts(sql))).isInstanceOf(Decision.RequireApproval.class);
    }
}
