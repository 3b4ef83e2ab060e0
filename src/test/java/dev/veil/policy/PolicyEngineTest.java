package dev.veil.policy;

import dev.veil.analysis.Analysis;
import dev.veil.analysis.AnalysisCache;
import dev.veil.analysis.Dialect;
import dev.veil.analysis.NameResolution;
import dev.veil.analysis.ShopCatalog;
import dev.veil.analysis.StatementAnalyzer;
import dev.veil.analysis.catalog.CatalogSnapshot;
import dev.veil.error.ErrorCode;
import dev.veil.identity.Identity;
import dev.veil.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PolicyEngineTest {
    private final AnalysisCache analyses = new AnalysisCache(new StatementAnalyzer(), 100);
    private final CatalogSnapshot shop = ShopCatalog.postgres();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-24T10:00:00Z"));
    private final PolicyEngine engine = PolicyEngine.builtIn(clock);

    private static final String ROLES = """
            roles:
              analyst:
                groups: [analysts]
              engineer:
                local-accounts: [erin]
                claims: {department: platform}
              etl:
                service-accounts: [loader]
              support:
                configured-roles: [helpdesk]
            """;

    private final SessionFacts analyst = session(new Identity("ann", List.of(), Identity.Source.OIDC_TOKEN, "corp", null,
            List.of("analysts"), Map.of()));
    private final SessionFacts engineer = session(new Identity("erin", List.of(), Identity.Source.LOCAL_ACCOUNT));
    private final SessionFacts stranger = session(new Identity("mallory", List.of(), Identity.Source.LOCAL_ACCOUNT));

    private static SessionFacts session(Identity identity) {
        return new SessionFacts(identity, "10.1.2.3", "psql");
    }

    private PolicySet load(String yaml) throws PolicyProblem {
        PolicySet set = PolicyParser.parse(yaml, "policy.yaml", "prod");
        engine.install(set);
        return set;
    }

    private Analysis pg(String sql) {
        return analyses.analyze(Dialect.POSTGRESQL, shop, NameResolution.postgres("shop"), sql);
    }

    private Decision decide(SessionFacts who, String sql) {
        return engine.decide(new StatementFacts(Dialect.POSTGRESQL, sql, false, pg(sql), who, "shop"));
    }

    @Test
    void withoutAPolicyEverythingTheBuiltInsLetThroughIsAllowedUnderNoPolicy() {
        Decision d = decide(stranger, "DELETE FROM orders");
        assertThat(d).isEqualTo(new Decision.Allow(Decision.NO_POLICY));
        assertThat(d.policyVersion()).isNull();
    }

    @Test
    void theFirstRuleThatHoldsDecidesInFileOrder() throws PolicyProblem {
        PolicySet set = load(ROLES + """
                rules:
                  - name: analysts-read-only
                    when: '"analyst" in identity.roles && statement.kind != "READ"'
                    outcome: deny
                    reason: analysts only read; ask an engineer to change data
                  - name: no-deletes
                    when: '"delete" in statement.actions'
                    outcome: require-approval
                    reason: deletes need a second person
                """);
        Decision d = decide(analyst, "DELETE FROM orders WHERE id = 1");
        assertThat(d).isInstanceOf(Decision.Deny.class);
        Decision.Deny deny = (Decision.Deny) d;
        assertThat(deny.rule()).isEqualTo("analysts-read-only");
        assertThat(deny.code()).isEqualTo(ErrorCode.POLICY_DENIED);
        assertThat(deny.reason()).isEqualTo("policy rule analysts-read-only: analysts only read; ask an engineer to change data");
        assertThat(deny.policyVersion()).isEqualTo(set.version());

        Decision e = decide(engineer, "DELETE FROM orders WHERE id = 1");
        assertThat(e).isEqualTo(new Decision.RequireApproval("no-deletes", "policy rule no-deletes: deletes need a second person",
                set.version(), List.of()));
        assertThat(decide(engineer, "SELECT id FROM orders")).isEqualTo(new Decision.Allow(PolicySet.KNOWN_DEFAULT,
                MaskingPlan.NONE, set.version(), List.of()));
    }

    @Test
    void anIdentityNoBindingMatchesIsUnknownAndRefusedByDefaultWithItsName() throws PolicyProblem {
        load(ROLES + "rules: []\n");
        Decision d = decide(stranger, "SELECT id FROM orders");
        assertThat(d.rule()).isEqualTo(PolicySet.UNKNOWN_DEFAULT);
        assertThat(((Decision.Deny) d).reason()).contains("\"mallory\" holds no role in the policy of environment prod")
                .contains("ask an administrator to bind it to a role");
        Decision other = decide(session(new Identity("oscar", List.of(), Identity.Source.LOCAL_ACCOUNT)), "SELECT id FROM orders");
        assertThat(((Decision.Deny) other).reason()).contains("\"oscar\"");
    }

    @Test
    void theDefaultsAreConfigurable() throws PolicyProblem {
        load(ROLES + """
                rules: []
                default:
                  known-identity: {outcome: deny, reason: only what a rule allows runs here}
                  unknown-identity: {outcome: allow}
                """);
        assertThat(decide(stranger, "SELECT id FROM orders")).isInstanceOf(Decision.Allow.class)
                .extracting(Decision::rule).isEqualTo(PolicySet.UNKNOWN_DEFAULT);
        Decision d = decide(engineer, "SELECT id FROM orders");
        assertThat(((Decision.Deny) d).reason()).isEqualTo("policy rule default.known-identity: only what a rule allows runs here");
    }

    @Test
    void rolesBindToGroupsClaimsAccountsServiceAccountsAndConfiguredRoles() throws PolicyProblem {
        PolicySet set = load(ROLES + "rules: []\n");
        assertThat(set.rolesOf(analyst.identity())).containsExactly("analyst");
        assertThat(set.rolesOf(engineer.identity())).containsExactly("engineer");
        assertThat(set.rolesOf(new Identity("pat", List.of(), Identity.Source.OIDC_TOKEN, "corp", null, List.of(),
                Map.of("department", "platform")))).containsExactly("engineer");
        assertThat(set.rolesOf(new Identity("pat", List.of(), Identity.Source.OIDC_TOKEN, "corp", null, List.of(),
                Map.of("department", List.of("sales", "platform"))))).containsExactly("engineer");
        assertThat(set.rolesOf(new Identity("loader", List.of(), Identity.Source.SERVICE_ACCOUNT))).containsExactly("etl");
        // a local account of the same name is not the service account
        assertThat(set.rolesOf(new Identity("loader", List.of(), Identity.Source.LOCAL_ACCOUNT))).isEmpty();
        assertThat(set.rolesOf(new Identity("hal", List.of("helpdesk"), Identity.Source.LOCAL_ACCOUNT))).containsExactly("support");
        assertThat(set.rolesOf(stranger.identity())).isEmpty();
    }

    @Test
    void anObserveModeRuleIsRecordedAndTheNextRulesDecide() throws PolicyProblem {
        PolicySet set = load(ROLES + """
                rules:
                  - name: no-writes-soon
                    when: statement.kind == "WRITE"
                    outcome: deny
                    reason: writes will be refused from December
                    mode: observe
                  - name: try-allowing-engineers
                    when: '"engineer" in identity.roles'
                    outcome: allow
                    mode: observe
                  - name: no-deletes
                    when: '"delete" in statement.actions'
                    outcome: deny
                    reason: no deletes
                """);
        Decision d = decide(engineer, "UPDATE orders SET status = 'x' WHERE id = 1");
        assertThat(d).isInstanceOf(Decision.Allow.class).extracting(Decision::rule).isEqualTo(PolicySet.KNOWN_DEFAULT);
        assertThat(d.observed()).extracting(Decision.Observation::rule).containsExactly("no-writes-soon", "try-allowing-engineers");
        assertThat(d.observed().get(0).wouldHave()).isInstanceOf(Decision.Deny.class);
        assertThat(d.observed().get(1).wouldHave()).isInstanceOf(Decision.Allow.class);

        Decision del = decide(engineer, "DELETE FROM orders WHERE id = 1");
        assertThat(del.rule()).isEqualTo("no-deletes");
        assertThat(del.policyVersion()).isEqualTo(set.version());
        assertThat(del.observed()).extracting(Decision.Observation::rule).containsExactly("no-writes-soon", "try-allowing-engineers");
    }

    @Test
    void aRepeatedStatementIsAnsweredFromTheCacheWithoutEvaluatingAgain() throws PolicyProblem {
        load(ROLES + """
                rules:
                  - name: no-deletes
                    when: '"delete" in statement.actions'
                    outcome: deny
                    reason: no deletes
                """);
        Decision first = decide(engineer, "SELECT id FROM orders WHERE id = 1");
        // another literal, the same analysis: the same decision object, out of the cache
        assertThat(decide(engineer, "SELECT id FROM orders WHERE id = 2")).isSameAs(first);
        // another session holding the same roles shares it too
        SessionFacts sameRoles = session(new Identity("erin", List.of(), Identity.Source.LOCAL_ACCOUNT));
        assertThat(decide(sameRoles, "SELECT id FROM orders WHERE id = 3")).isSameAs(first);
    }

    @Test
    void aNewPolicyVersionNeverAnswersWithADecisionOfTheOldOne() throws PolicyProblem {
        load(ROLES + "rules: []\n");
        Decision before = decide(engineer, "DELETE FROM orders WHERE id = 1");
        assertThat(before).isInstanceOf(Decision.Allow.class);
        PolicySet next = load(ROLES + """
                rules:
                  - name: no-deletes
                    when: '"delete" in statement.actions'
                    outcome: deny
                    reason: no deletes
                """);
        Decision after = decide(engineer, "DELETE FROM orders WHERE id = 1");
        assertThat(after.rule()).isEqualTo("no-deletes");
        assertThat(after.policyVersion()).isEqualTo(next.version()).isNotEqualTo(before.policyVersion());
    }

    @Test
    void anotherRoleSetNeverAnswersWithAnotherRoleSetsDecision() throws PolicyProblem {
        load(ROLES + """
                rules:
                  - name: analysts-read-only
                    when: '"analyst" in identity.roles && statement.kind != "READ"'
                    outcome: deny
                    reason: analysts only read
                """);
        assertThat(decide(engineer, "DELETE FROM orders WHERE id = 1")).isInstanceOf(Decision.Allow.class);
        assertThat(decide(analyst, "DELETE FROM orders WHERE id = 1")).isInstanceOf(Decision.Deny.class);
        assertThat(decide(engineer, "DELETE FROM orders WHERE id = 1")).isInstanceOf(Decision.Allow.class);
    }

    @Test
    void aRuleReadingTheSubjectDecidesPerSessionNotPerRoleSet() throws PolicyProblem {
        load(ROLES + """
                rules:
                  - name: not-erin
                    when: identity.subject == "erin"
                    outcome: deny
                    reason: erin is on leave
                """);
        SessionFacts otherEngineer = session(new Identity("pat", List.of(), Identity.Source.OIDC_TOKEN, "corp", null, List.of(),
                Map.of("department", "platform")));
        assertThat(decide(engineer, "SELECT id FROM orders").rule()).isEqualTo("not-erin");
        assertThat(decide(otherEngineer, "SELECT id FROM orders")).isInstanceOf(Decision.Allow.class);
    }

    @Test
    void aRuleReadingTheTimeIsEvaluatedForEveryStatement() throws PolicyProblem {
        load(ROLES + """
                rules:
                  - name: office-hours
                    when: request.time.getHours("UTC") < 8 || request.time.getHours("UTC") >= 18
                    outcome: deny
                    reason: statements run between 08:00 and 18:00 UTC
                """);
        assertThat(decide(engineer, "SELECT id FROM orders")).isInstanceOf(Decision.Allow.class);
        clock.advance(Duration.ofHours(9));
        assertThat(decide(engineer, "SELECT id FROM orders").rule()).isEqualTo("office-hours");
    }

    @Test
    void theBuiltInRulesStillComeFirstAndCarryThePolicyVersion() throws PolicyProblem {
        PolicySet set = load(ROLES + """
                rules:
                  - name: everything
                    when: "true"
                    outcome: allow
                """);
        Decision d = engine.decide(new StatementFacts(Dialect.MYSQL, "LOAD DATA LOCAL INFILE '/etc/passwd' INTO TABLE t",
                false, null, engineer, "shop"));
        assertThat(d.rule()).isEqualTo("builtin.mysql-local-infile");
        assertThat(d.policyVersion()).isEqualTo(set.version());
    }

    @Test
    void aConditionThatCannotBeEvaluatedRefusesUnderItsRule() throws PolicyProblem {
        load(ROLES + """
                rules:
                  - name: finance-only
                    when: identity.claims.department != "finance"
                    outcome: deny
                    reason: finance only
                """);
        Decision d = decide(engineer, "SELECT id FROM orders");
        assertThat(d.rule()).isEqualTo("finance-only");
        assertThat(((Decision.Deny) d).reason()).contains("could not be evaluated").contains("fail closed")
                .contains("'department'");
    }

    @Test
    void conditionsSeeTheStatementTheIdentityTheEnvironmentAndTheRequest() throws PolicyProblem {
        load("environment: {name: prod, protection: medium}\n" + ROLES + """
                rules:
                  - name: all-facts
                    when: >
                      statement.kind == "WRITE" && statement.analysed && statement.dialect == "postgresql"
                      && statement.database == "shop"
                      && statement.relations.exists(r, r.name == "public.orders" && r.action == "update")
                      && statement.columns.exists(c, c.relation == "public.orders" && c.column == "status"
                         && c.access == "write" && c.tags == [])
                      && statement.columns.exists(c, c.column == "id" && c.access == "filter")
                      && identity.subject == "ann" && identity.kind == "person" && identity.groups == ["analysts"]
                      && identity.roles == ["analyst"]
                      && environment.name == "prod" && environment.protection == "medium"
                      && request.client_address == "10.1.2.3" && request.application == "psql"
                    outcome: deny
                    reason: every fact seen
                """);
        assertThat(decide(analyst, "UPDATE orders SET status = 'x' WHERE id = 1").rule()).isEqualTo("all-facts");
        assertThat(decide(analyst, "UPDATE orders SET amount = 1 WHERE id = 1").rule()).isEqualTo(PolicySet.KNOWN_DEFAULT);
    }

    @Test
    void aServiceAccountIsOfKindService() throws PolicyProblem {
        load(ROLES + """
                rules:
                  - name: services-read
                    when: identity.kind == "service" && statement.kind != "READ"
                    outcome: deny
                    reason: services only read
                """);
        SessionFacts loader = session(new Identity("loader", List.of(), Identity.Source.SERVICE_ACCOUNT));
        assertThat(decide(loader, "DELETE FROM orders WHERE id = 1").rule()).isEqualTo("services-read");
        assertThat(decide(engineer, "DELETE FROM orders WHERE id = 1")).isInstanceOf(Decision.Allow.class);
    }

    @Test
    void aStatementNotAnalysedIsOfKindUnknown() throws PolicyProblem {
        load(ROLES + """
                rules:
                  - name: unknown-refused
                    when: statement.kind == "UNKNOWN" && !statement.analysed
                    outcome: deny
                    reason: Veil could not tell what this statement does
                """);
        Decision d = engine.decide(new StatementFacts(Dialect.POSTGRESQL, "SELECT 1", false, null, engineer, "shop"));
        assertThat(d.rule()).isEqualTo("unknown-refused");
    }

    @Test
    void aMaskingOutcomeAllowsAndKeepsItsDirectivesInTheMaskingPlan() throws PolicyProblem {
        load(ROLES + """
                rules:
                  - name: mask-orders
                    when: '"public.orders" in statement.relations.map(r, r.name)'
                    outcome: mask
                    mask:
                      - {tag: pii, masker: redact}
                """);
        Decision d = decide(engineer, "SELECT id FROM orders");
        assertThat(d).isInstanceOf(Decision.Allow.class);
        assertThat(((Decision.Allow) d).masking().directives()).containsExactly(new MaskingPlan.Directive("pii", "redact"));
    }
}
