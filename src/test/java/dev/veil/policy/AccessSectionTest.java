package dev.veil.policy;

import dev.veil.analysis.Dialect;
import dev.veil.identity.Identity;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The policy's access section: which roles may be requested just in time, by whom, for how long, who approves,
 * break-glass; its mistakes with their lines and columns; and a granted role joining the roles a session holds.
 */
class AccessSectionTest {
    private static final String POLICY = """
            roles:
              engineer: {local-accounts: [erin]}
              oncall: {local-accounts: [olga]}
              admin: {local-accounts: [ada]}
            access:
              roles:
                admin:
                  requesters: [engineer, oncall]
                  approvers: {roles: [admin], count: 2}
                  max-duration: 4h
                  break-glass: [oncall]
                engineer:
                  requesters: [oncall]
            rules:
              - name: unanalysed-for-admins
                when: 'statement.kind == "UNKNOWN" && !("admin" in identity.roles)'
                outcome: deny
                reason: only admins run what Veil did not analyse
            default:
              known-identity: {outcome: allow}
            """;

    private static PolicySet policy(String text) throws PolicyProblem {
        return PolicyParser.parse(text, "policy.yaml", "prod");
    }

    private static Identity local(String name) {
        return new Identity(name, List.of(), Identity.Source.LOCAL_ACCOUNT);
    }

    private static PolicyProblem problem(String text) {
        return assertThrows(PolicyProblem.class, () -> policy(text));
    }

    @Test
    void theSectionSaysWhoMayAskForWhatForHowLongAndWhoApproves() throws PolicyProblem {
        AccessSection access = policy(POLICY).access();
        assertThat(access.requestable()).containsExactly("admin", "engineer");
        AccessSection.Requestable admin = access.role("admin").orElseThrow();
        assertThat(admin.requesters()).containsExactly("engineer", "oncall");
        assertThat(admin.approverRoles()).containsExactly("admin");
        assertThat(admin.approversNeeded()).isEqualTo(2);
        assertThat(admin.maxDuration()).isEqualTo(Duration.ofHours(4));
        assertThat(admin.breakGlass()).containsExactly("oncall");
        AccessSection.Requestable engineer = access.role("engineer").orElseThrow();
        assertThat(engineer.maxDuration()).as("the default").isEqualTo(Duration.ofHours(1));
        assertThat(engineer.approverRoles()).as("the default approvers").containsExactly("admin");
        assertThat(engineer.breakGlass()).isEmpty();
    }

    @Test
    void requestsBeyondTheSectionAreRefusedSayingWhy() throws PolicyProblem {
        AccessSection access = policy(POLICY).access();
        assertThat(access.refusal("admin", List.of("engineer"), Duration.ofHours(2), false)).isNull();
        assertThat(access.refusal("admin", List.of("engineer"), Duration.ofHours(5), false))
                .contains("at most 4h").contains("access.roles.admin.max-duration");
        assertThat(access.refusal("admin", List.of(), Duration.ofHours(1), false))
                .contains("holders of engineer or oncall").contains("you hold none");
        assertThat(access.refusal("dba", List.of("engineer"), Duration.ofHours(1), false))
                .contains("\"dba\" cannot be requested").contains("lists admin, engineer");
        assertThat(access.refusal("admin", List.of("admin"), Duration.ofHours(1), false)).contains("already hold");
        // break-glass: only the roles it lists
        assertThat(access.refusal("admin", List.of("oncall"), Duration.ofMinutes(30), true)).isNull();
        assertThat(access.refusal("admin", List.of("engineer"), Duration.ofMinutes(30), true))
                .contains("break-glass for role \"admin\" is for holders of oncall");
        assertThat(access.refusal("engineer", List.of("oncall"), Duration.ofMinutes(30), true))
                .contains("does not allow break-glass");
    }

    @Test
    void breakGlassTrueMeansTheRequesters() throws PolicyProblem {
        AccessSection access = policy(POLICY.replace("break-glass: [oncall]", "break-glass: true")).access();
        assertThat(access.role("admin").orElseThrow().breakGlass()).containsExactly("engineer", "oncall");
    }

    @Test
    void aGrantedRoleJoinsTheBoundRolesWhileTheSectionStillAllowsIt() throws PolicyProblem {
        PolicySet set = policy(POLICY);
        assertThat(set.rolesOf(local("erin"), List.of("admin"))).containsExactly("engineer", "admin");
        // a role the section does not list, or one erin's roles may not ask for, never joins
        assertThat(set.rolesOf(local("erin"), List.of("engineer", "dba"))).containsExactly("engineer");
        PolicySet changed = policy(POLICY.replace("requesters: [engineer, oncall]", "requesters: [oncall]"));
        assertThat(changed.rolesOf(local("erin"), List.of("admin"))).containsExactly("engineer");
        assertThat(set.access().mayHoldGrants(set.rolesOf(local("erin")))).isTrue();
        assertThat(set.access().mayHoldGrants(set.rolesOf(local("ada")))).isFalse();
    }

    @Test
    void aSessionUnderAGrantIsDecidedWithTheGrantedRole() throws PolicyProblem {
        PolicyEngine engine = PolicyEngine.builtIn();
        engine.install(policy(POLICY));
        SessionFacts plain = new SessionFacts(local("erin"), "10.0.0.1", "psql");
        SessionFacts granted = new SessionFacts(local("erin"), "10.0.0.1", "psql", false, List.of("admin"));
        String sql = "SELECT * FROM secrets"; // no analysis given: kind UNKNOWN
        assertThat(engine.decide(new StatementFacts(Dialect.POSTGRESQL, sql, false, null, plain, "shop")).rule())
                .isEqualTo("unanalysed-for-admins");
        assertThat(engine.decide(new StatementFacts(Dialect.POSTGRESQL, sql, false, null, granted, "shop")))
                .isNotInstanceOf(Decision.Deny.class);
    }

    @Test
    void withoutTheSectionNothingCanBeRequested() throws PolicyProblem {
        PolicySet set = policy(POLICY.substring(0, POLICY.indexOf("access:")) + POLICY.substring(POLICY.indexOf("rules:\n  - ")));
        assertThat(set.access().isEmpty()).isTrue();
        assertThat(set.access().refusal("admin", List.of("engineer"), Duration.ofHours(1), false)).contains("lists no role");
        assertThat(set.rolesOf(local("erin"), List.of("admin"))).containsExactly("engineer");
    }

    @Test
    void mistakesAreReportedWithTheirLineAndColumn() {
        PolicyProblem undeclared = problem(POLICY.replace("    engineer:\n      requesters: [oncall]",
                "    dba:\n      requesters: [oncall]"));
        assertThat(undeclared.mistakes()).hasSize(1);
        assertThat(undeclared.mistakes().get(0).line()).isEqualTo(12);
        assertThat(undeclared.mistakes().get(0).column()).isEqualTo(5);
        assertThat(undeclared.mistakes().get(0).what()).contains("access.roles.dba: \"dba\" is not a role of this file");

        PolicyProblem duration = problem(POLICY.replace("max-duration: 4h", "max-duration: 9d"));
        assertThat(duration.mistakes()).hasSize(1);
        assertThat(duration.mistakes().get(0).line()).isEqualTo(10);
        assertThat(duration.mistakes().get(0).column()).isEqualTo(21);
        assertThat(duration.mistakes().get(0).what()).contains("max-duration: \"9d\" is not a duration from 1s to 7d");

        PolicyProblem requesters = problem(POLICY.replace("requesters: [engineer, oncall]", "requesters: [engineers]"));
        assertThat(requesters.mistakes().get(0).line()).isEqualTo(8);
        assertThat(requesters.mistakes().get(0).what()).contains("requesters: \"engineers\" is not a role of this file");

        PolicyProblem noRequesters = problem(POLICY.replace("    engineer:\n      requesters: [oncall]",
                "    engineer:\n      max-duration: 1h"));
        assertThat(noRequesters.mistakes().get(0).line()).isEqualTo(13);
        assertThat(noRequesters.mistakes().get(0).what()).contains("access.roles.engineer: has no requesters");

        PolicyProblem breakGlass = problem(POLICY.replace("break-glass: [oncall]", "break-glass: sometimes"));
        assertThat(breakGlass.mistakes().get(0).line()).isEqualTo(11);
        assertThat(breakGlass.mistakes().get(0).what()).contains("break-glass: expected true").contains("\"sometimes\"");

        PolicyProblem unknownKey = problem(POLICY.replace("max-duration: 4h", "max-time: 4h"));
        assertThat(unknownKey.mistakes().get(0).line()).isEqualTo(10);
        assertThat(unknownKey.mistakes().get(0).what()).contains("access.roles.admin: unknown key \"max-time\"");

        PolicyProblem count = problem(POLICY.replace("count: 2", "count: many"));
        assertThat(count.mistakes().get(0).line()).isEqualTo(9);
        assertThat(count.mistakes().get(0).what()).contains("approvers: count: \"many\"");
    }

    @Test
    void durationsAreWrittenAsTheyAreRead() {
        assertThat(AccessSection.duration("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(AccessSection.duration("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(AccessSection.duration(" 1d ")).isEqualTo(Duration.ofDays(1));
        assertThat(AccessSection.duration("0m")).isNull();
        assertThat(AccessSection.duration("soon")).isNull();
        assertThat(AccessSection.human(Duration.ofMinutes(90))).isEqualTo("90m");
        assertThat(AccessSection.human(Duration.ofHours(2))).isEqualTo("2h");
    }
}
