package dev.veil.policy;

import dev.veil.analysis.Dialect;
import dev.veil.analysis.NameResolution;
import dev.veil.analysis.ShopCatalog;
import dev.veil.analysis.catalog.CatalogSnapshot;
import dev.veil.identity.Identity;
import dev.veil.analysis.AnalysisCache;
import dev.veil.analysis.StatementAnalyzer;
import dev.veil.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What a require-approval outcome says of its approvers and wait, and the mistakes it is refused for. */
class ApprovalDemandTest {
    private final AnalysisCache analyses = new AnalysisCache(new StatementAnalyzer(), 100);
    private final CatalogSnapshot shop = ShopCatalog.postgres();
    private final PolicyEngine engine = PolicyEngine.builtIn(new MutableClock(Instant.parse("2026-12-06T10:00:00Z")));
    private final SessionFacts erin = new SessionFacts(new Identity("erin", List.of("engineer"), Identity.Source.LOCAL_ACCOUNT),
            "10.1.2.3", "psql");

    private Decision decide(String yaml, String sql) throws PolicyProblem {
        engine.install(PolicyParser.parse(yaml, "policy.yaml", "prod"));
        return engine.decide(new StatementFacts(Dialect.POSTGRESQL, sql, false,
                analyses.analyze(Dialect.POSTGRESQL, shop, NameResolution.postgres("shop"), sql), erin, "shop"));
    }

    private static List<String> mistakes(String yaml) {
        try {
            PolicyParser.parse(yaml, "policy.yaml", "prod");
        } catch (PolicyProblem e) {
            return e.mistakes().stream().map(m -> m.line() + ":" + m.column() + " " + m.what()).toList();
        }
        throw new AssertionError("the file was accepted");
    }

    private static String rule(String extra) {
        return """
                rules:
                  - name: drops
                    when: '"drop" in statement.actions'
                    outcome: require-approval
                    reason: drops need a second person
                """ + extra;
    }

    @Test
    void aRuleNamesItsApproversAndWait() throws PolicyProblem {
        Decision d = decide(rule("""
                    approvers: {roles: [dba, admin], count: 2}
                    timeout: 90s
                """), "DROP TABLE orders");
        assertThat(d).isInstanceOf(Decision.RequireApproval.class);
        assertThat(((Decision.RequireApproval) d).demand())
                .isEqualTo(new ApprovalDemand(List.of("dba", "admin"), 2, Duration.ofSeconds(90)));
    }

    @Test
    void withoutApproversOneAdminDecidesWithinTheConfiguredWait() throws PolicyProblem {
        Decision d = decide(rule(""), "DROP TABLE orders");
        assertThat(((Decision.RequireApproval) d).demand()).isEqualTo(ApprovalDemand.DEFAULT);
        assertThat(ApprovalDemand.DEFAULT.roles()).containsExactly("admin");
        assertThat(ApprovalDemand.DEFAULT.timeout()).isNull();
    }

    @Test
    void mistakesInApproversAndTimeoutAreNamedWithTheirPositions() {
        assertThat(mistakes(rule("""
                    approvers: {roles: [], count: zero}
                    timeout: 3 days
                """))).containsExactly(
                "6:24 rule drops: approvers: roles: name at least one role whose holders may approve (e.g. [admin])",
                "6:35 rule drops: approvers: count: \"zero\" is not a number of approvers; use a whole number from 1 to 10",
                "7:14 rule drops: timeout: \"3 days\" is not a wait; write seconds, minutes or hours such as 90s, 5m or 1h (at most 12h)");
        assertThat(mistakes(rule("""
                    approvers: {groups: [admins]}
                """))).singleElement().asString().contains("unknown key \"groups\"");
        assertThat(mistakes("""
                rules:
                  - name: no-deletes
                    when: '"delete" in statement.actions'
                    outcome: deny
                    reason: no
                    approvers: {roles: [admin]}
                """)).singleElement().asString().isEqualTo("6:5 rule no-deletes: approvers: approvers are for outcome require-approval");
    }
}
