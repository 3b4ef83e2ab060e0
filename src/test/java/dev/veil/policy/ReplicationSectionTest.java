package dev.veil.policy;

import dev.veil.analysis.Dialect;
import dev.veil.identity.Identity;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The policy's replication section: read with its mistakes, and deciding the replication protocol's commands. */
class ReplicationSectionTest {
    private static final String POLICY = """
            roles:
              dba: {local-accounts: [dora]}
              engineer: {local-accounts: [erin]}
            guardrails:
              unanalysed: {roles: [dba, engineer]}
            replication: {roles: [dba]}
            rules:
              - name: engineers-anything
                when: '"engineer" in identity.roles'
                outcome: allow
            """;

    private static Decision decide(String policy, String who, String sql) throws PolicyProblem {
        PolicyEngine engine = PolicyEngine.builtIn();
        if (policy != null) {
            engine.install(PolicyParser.parse(policy, "policy.yaml", "prod"));
        }
        SessionFacts session = new SessionFacts(new Identity(who, List.of(), Identity.Source.LOCAL_ACCOUNT), "10.0.0.1", "pg_recvlogical");
        return engine.decide(new StatementFacts(Dialect.POSTGRESQL, sql, false, null, session, "shop"));
    }

    @Test
    void aRoleOfTheSectionMayRunReplicationCommandsThatNoGuardrailCouldAnalyse() throws PolicyProblem {
        for (String sql : List.of("IDENTIFY_SYSTEM", "  start_replication SLOT s LOGICAL 0/0", "CREATE_REPLICATION_SLOT s LOGICAL pgoutput",
                "BASE_BACKUP (CHECKPOINT 'fast')", "TIMELINE_HISTORY 1")) {
            Decision d = decide(POLICY, "dora", sql);
            assertThat(d).as(sql).isInstanceOf(Decision.Allow.class);
            assertThat(d.rule()).isEqualTo("policy.replication");
        }
    }

    @Test
    void aRuleThatAllowsEverythingDoesNotGrantReplication() throws PolicyProblem {
        Decision d = decide(POLICY, "erin", "START_REPLICATION 0/0");
        assertThat(d).isInstanceOf(Decision.Deny.class);
        assertThat(((Decision.Deny) d).error().getMessage()).contains("allows them to roles dba").contains("you hold engineer");
        // other statements are still the guardrails' and rules' business (here: not analysed, so refused)
        assertThat(decide(POLICY, "erin", "SELECT 1").rule()).isEqualTo("guardrail.unanalysed");
    }

    @Test
    void withoutTheSectionOrWithoutAPolicyNobodyMayReplicate() throws PolicyProblem {
        assertThat(decide(POLICY.replace("replication: {roles: [dba]}\n", ""), "dora", "IDENTIFY_SYSTEM"))
                .isInstanceOf(Decision.Deny.class);
        Decision none = decide(null, "dora", "IDENTIFY_SYSTEM");
        assertThat(none).isInstanceOf(Decision.Deny.class);
        assertThat(((Decision.Deny) none).error().getMessage()).contains("allows them to no role");
    }

    @Test
    void wordsThatOnlyBeginLikeACommandAreNotOne() {
        assertThat(ReplicationSection.isCommand("IDENTIFY_SYSTEM")).isTrue();
        assertThat(ReplicationSection.isCommand("IDENTIFY_SYSTEMS")).isFalse();
        assertThat(ReplicationSection.isCommand("SELECT 'START_REPLICATION'")).isFalse();
        assertThat(ReplicationSection.isCommand("")).isFalse();
    }

    @Test
    void aSectionNamingAnUndeclaredRoleIsAMistakeWithItsLine() {
        PolicyProblem e = assertThrows(PolicyProblem.class, () -> PolicyParser.parse(POLICY.replace("[dba]}", "[dbas]}"),
                "policy.yaml", "prod"));
        assertThat(e.mistakes()).hasSize(1);
        assertThat(e.mistakes().get(0).line()).isEqualTo(6);
        assertThat(e.mistakes().get(0).what()).contains("replication: roles: \"dbas\" is not a role of this file");
    }
}
