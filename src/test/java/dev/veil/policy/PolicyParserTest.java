package dev.veil.policy;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PolicyParserTest {
    private static final String FILE = "/etc/veil/policy.yaml";

    private static PolicySet parse(String yaml) throws PolicyProblem {
        return PolicyParser.parse(yaml, FILE, "prod");
    }

    private static List<PolicyProblem.Mistake> mistakes(String yaml) {
        try {
            parse(yaml);
        } catch (PolicyProblem e) {
            assertThat(e.source()).isEqualTo(FILE);
            return e.mistakes();
        }
        throw new AssertionError("the file was accepted");
    }

    private static PolicyProblem.Mistake only(String yaml) {
        List<PolicyProblem.Mistake> m = mistakes(yaml);
        assertThat(m).hasSize(1);
        return m.get(0);
    }

    @Test
    void aCompleteFileLoadsWithItsRolesRulesAndAContentHashAsVersion() throws PolicyProblem {
        String yaml = """
                environment:
                  name: prod
                  protection: high
                roles:
                  analyst:
                    groups: [analysts]
                  engineer:
                    local-accounts: [engineer]
                    claims: {department: [platform, data]}
                rules:
                  - name: analysts-read-only
                    when: '"analyst" in identity.roles && statement.kind != "READ"'
                    outcome: deny
                    reason: analysts only read; ask an engineer
                  - name: pii-masked
                    when: statement.columns.exists(c, "pii" in c.tags)
                    outcome: mask
                    mask: [{tag: pii, masker: redact}]
                    mode: observe
                default:
                  known-identity: {outcome: allow}
                  unknown-identity: {outcome: deny}
                """;
        PolicySet set = parse(yaml);
        assertThat(set.roleNames()).containsExactly("analyst", "engineer");
        assertThat(set.ruleNames()).containsExactly("analysts-read-only", "pii-masked");
        assertThat(set.environment()).isEqualTo(new Environment("prod", Environment.Protection.HIGH));
        assertThat(set.version()).isEqualTo(PolicyParser.version(yaml)).hasSize(16);
        assertThat(parse(yaml + "# a comment changes the content\n").version()).isNotEqualTo(set.version());
    }

    @Test
    void aYamlSyntaxMistakeIsReportedWhereItIs() {
        PolicyProblem.Mistake m = only("""
                rules:
                  - name: a
                    when: "true"
                   outcome: allow
                """);
        assertThat(m.line()).isEqualTo(4);
        assertThat(m.column()).isEqualTo(4);
        assertThat(m.what()).isEqualTo("not valid YAML: expected <block end>, but found '<block mapping start>' (while "
                + "parsing a block collection at line 2, column 3); check the indentation");
    }

    @Test
    void anUnknownKeyIsNamedAtItsLineAndColumn() {
        assertThat(mistakes("""
                rules:
                  - name: a
                    whne: "true"
                    outcome: allow
                """)).extracting(PolicyProblem.Mistake::what).containsExactly(
                "rule a: has no \"when\" (the condition, in CEL; write when: \"true\" for every statement)",
                "rule a: unknown key \"whne\"; expected approvers, mask, mode, name, outcome, reason, timeout, unknown-lineage, when");
        List<PolicyProblem.Mistake> all = mistakes("""
                rules:
                  - name: a
                    when: "true"
                    outcome: allow
                    reasn: typo
                """);
        assertThat(all).extracting(PolicyProblem.Mistake::line, PolicyProblem.Mistake::column)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(5, 5));
        assertThat(all.get(0).what()).contains("unknown key \"reasn\"");
    }

    @Test
    void aConditionMistakeIsPointedAtInsideThePlainExpression() {
        // column 11 is where the expression starts; identity.subjet is 0 characters into it
        PolicyProblem.Mistake m = only("""
                rules:
                  - name: a
                    when: identity.subjet == "bob"
                    outcome: allow
                """);
        assertThat(m.line()).isEqualTo(3);
        assertThat(m.column()).isEqualTo(11);
        assertThat(m.what()).startsWith("rule a: when: unknown variable 'identity.subjet'; conditions read identity.subject, ");
    }

    @Test
    void aConditionMistakeIsPointedAtInsideAQuotedExpression() {
        PolicyProblem.Mistake m = only("""
                rules:
                  - name: a
                    when: 'statement.kind == "READ" && identity.subject + 1'
                    outcome: allow
                """);
        // the + sits 44 characters into the expression, which starts after the quote at column 11
        assertThat(m.line()).isEqualTo(3);
        assertThat(m.column()).isEqualTo(12 + "statement.kind == \"READ\" && identity.subject ".length());
        assertThat(m.what()).contains("no matching overload for '_+_'");
    }

    @Test
    void aConditionMistakeIsPointedAtInsideABlockExpression() {
        PolicyProblem.Mistake m = only("""
                rules:
                  - name: a
                    when: |
                      statement.kind == "WRITE"
                        && "x" in identity.rolez
                    outcome: allow
                """);
        assertThat(m.line()).isEqualTo(5);
        assertThat(m.column()).isEqualTo(19);
        assertThat(m.what()).startsWith("rule a: when: unknown variable 'identity.rolez'");
    }

    @Test
    void aMisspeltVariableIsNamedWithoutTheMethodCalledOnIt() {
        PolicyProblem.Mistake m = only("""
                rules:
                  - name: a
                    when: statement.relatoins.exists(r, r.name == "x")
                    outcome: allow
                """);
        assertThat(m.what()).startsWith("rule a: when: unknown variable 'statement.relatoins';");
    }

    @Test
    void aConditionThatIsNotTrueOrFalseIsRefused() {
        PolicyProblem.Mistake m = only("""
                rules:
                  - name: a
                    when: identity.subject
                    outcome: allow
                """);
        assertThat(m.what()).contains("expected type 'bool' but found 'string'");
    }

    @Test
    void denyAndApprovalNeedAReason() {
        PolicyProblem.Mistake m = only("""
                rules:
                  - name: no-writes
                    when: statement.kind == "WRITE"
                    outcome: deny
                """);
        assertThat(m.line()).isEqualTo(4);
        assertThat(m.what()).contains("rule no-writes: outcome deny needs a reason");
    }

    @Test
    void ruleNamesAreUniqueAndNotVeilsOwn() {
        List<PolicyProblem.Mistake> m = mistakes("""
                rules:
                  - name: a
                    when: "true"
                    outcome: allow
                  - name: a
                    when: "false"
                    outcome: allow
                  - name: builtin.mine
                    when: "false"
                    outcome: allow
                """);
        assertThat(m).extracting(PolicyProblem.Mistake::what).containsExactly(
                "rule 2: name \"a\" is already the name of the rule at line 2; rule names must be unique",
                "rule 3: name \"builtin.mine\" is reserved for Veil's own rules; choose another");
    }

    @Test
    void aFileForAnotherEnvironmentIsRefused() {
        PolicyProblem.Mistake m = only("""
                environment:
                  name: staging
                rules: []
                """);
        assertThat(m.line()).isEqualTo(2);
        assertThat(m.what()).contains("this file is for environment \"staging\", and this Veil serves \"prod\"");
    }

    @Test
    void everyMistakeIsReportedAtOnceInFileOrder() {
        PolicyProblem e = org.junit.jupiter.api.Assertions.assertThrows(PolicyProblem.class, () -> parse("""
                environment:
                  protection: extreme
                roles:
                  nobody: {}
                rules:
                  - name: a
                    when: statement.kind = "READ"
                    outcome: allow
                    mode: watch
                """));
        // the condition's syntax mistake (= instead of ==) is reported by CEL twice, at two columns of line 7
        assertThat(e.mistakes()).extracting(PolicyProblem.Mistake::line).containsExactly(2, 4, 7, 7, 9);
        assertThat(e.getMessage().lines().toList()).hasSize(5)
                .allMatch(l -> l.startsWith(FILE + ":"));
        assertThat(e.getMessage()).contains(FILE + ":2:15: environment.protection: \"extreme\" is not a protection level");
    }

    @Test
    void aKeyWrittenTwiceIsAMistake() {
        PolicyProblem.Mistake m = only("""
                rules:
                  - name: a
                    when: "true"
                    when: "false"
                    outcome: allow
                """);
        assertThat(m.line()).isEqualTo(4);
        assertThat(m.what()).contains("\"when\" appears twice");
    }

    @Test
    void anEmptyFileIsRefused() {
        assertThatThrownBy(() -> parse("# nothing yet\n")).isInstanceOf(PolicyProblem.class)
                .hasMessageContaining("the file is empty");
    }
}
