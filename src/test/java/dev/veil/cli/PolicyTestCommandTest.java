package dev.veil.cli;

import dev.veil.testing.TestConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code veil policy test}: cases decided under a policy file offline, pass / fail per case, exit 0 / 1 / 2. */
class PolicyTestCommandTest {
    private static final Path PAGE = Path.of("docs", "policy.md");

    @TempDir
    Path work;

    private String out;
    private String err;

    /** The page's YAML blocks: the example policy first; the cases file that tests it is {@link #casesBlock()}. */
    static String yamlBlock(int index) throws IOException {
        String page = Files.readString(PAGE);
        int start = -1;
        for (int i = 0; i <= index; i++) {
            start = page.indexOf("```yaml\n", start + 1);
        }
        start += "```yaml\n".length();
        return page.substring(start, page.indexOf("```", start));
    }

    /** The page's example cases file: its first YAML block with a top-level {@code cases} list. */
    static String casesBlock() throws IOException {
        for (int i = 1; ; i++) {
            String block = yamlBlock(i);
            if (block.contains("\ncases:\n")) {
                return block;
            }
        }
    }

    private int run(String policy, String cases, String... options) throws IOException {
        Path p = work.resolve("policy.yaml");
        Path c = work.resolve("cases.yaml");
        Files.writeString(p, policy);
        Files.writeString(c, cases);
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        CommandLine cli = new CommandLine(new PolicyTestCommand(TestConfig.veil(Map.of("veil.environment", "staging"))));
        cli.setOut(new PrintWriter(o));
        cli.setErr(new PrintWriter(e));
        String[] args = new String[options.length + 2];
        System.arraycopy(options, 0, args, 0, options.length);
        args[options.length] = p.toString();
        args[options.length + 1] = c.toString();
        int exit = cli.execute(args);
        out = o.toString();
        err = e.toString();
        return exit;
    }

    @Test
    void theDocumentedCasesPassAgainstTheDocumentedPolicy() throws Exception {
        assertThat(run(yamlBlock(0), casesBlock())).as(out + err).isZero();
        assertThat(out).contains("pass 2 analysts do not write: deny by rule analysts-read-only")
                .contains("pass 4 schema changes wait for approval: require-approval by rule schema-changes-approved")
                .contains("6 case(s): 6 passed, 0 failed").contains("environment prod")
                .contains("analysed against the cases file's tables");
    }

    @Test
    void aFailingCaseSaysWhatWasExpectedAndWhatDecidedAndExitsOne() throws Exception {
        String cases = """
                - name: analysts may delete
                  identity: {subject: ann, groups: [analysts]}
                  sql: DELETE FROM orders WHERE id = 1
                  expect: allow
                - role: engineer
                  sql: SELECT 1
                  expect: allow
                  rule: some-other-rule
                - role: engineer
                  sql: SELECT 1
                  expect: allow
                """;
        assertThat(run(yamlBlock(0), cases)).as(out + err).isEqualTo(1);
        assertThat(out).contains("FAIL 1 analysts may delete: expected allow, got deny by rule analysts-read-only")
                .contains("policy rule analysts-read-only: analysts only read")
                .contains("FAIL 2: expected allow by rule some-other-rule, got allow by rule default.known-identity")
                .contains("pass 3: allow").contains("3 case(s): 1 passed, 2 failed")
                .contains("analysed without a catalog");
    }

    @Test
    void aTextOfSeveralStatementsGetsItsMostRestrictiveStatementsDecisionAndTheOthersAreNoted() throws Exception {
        String cases = """
                - role: engineer
                  sql: SELECT 1; DELETE FROM orders WHERE id = 7
                  expect: deny
                  rule: orders-never-deleted
                """;
        assertThat(run(yamlBlock(0), "tables: {orders: [id int8]}\ncases:\n" + cases.indent(2))).as(out + err).isZero();
        assertThat(out).contains("deny by rule orders-never-deleted")
                .contains("note: the text is decided whole; its statement 1 alone (SELECT 1) would be allow")
                .doesNotContain("its statement 2");
    }

    @Test
    void withoutTablesStatementsAreNotAnalysedAndRulesOnTheAnalysisSeeThat() throws Exception {
        String cases = """
                - identity: {subject: svc-reports, kind: service}
                  sql: SELECT email FROM customers
                  expect: deny
                  rule: services-send-what-veil-understands
                """;
        assertThat(run(yamlBlock(0), cases)).as(out + err).isZero();
        String declared = "tables: {customers: [id int4, email varchar]}\ncases:\n" + cases.indent(2);
        assertThat(run(yamlBlock(0), declared)).as(out + err).isEqualTo(1);
        assertThat(out).contains("got allow by rule reporting-masked");
    }

    /** A policy whose engineers write under a ceiling of 1000 rows; analysts (with a read-only database user) read. */
    private static final String GUARDED = """
            environment: {name: prod}
            roles:
              analyst: {groups: [analysts]}
              engineer: {groups: [engineers]}
            guardrails:
              affected-rows-ceiling: {roles: [engineer], max-rows: 1000}
            default:
              known-identity: {outcome: allow}
            """;

    @Test
    void aReadOnlyDatabaseUserBringsTheBuiltInReadOnlyChecksAsInASession() throws Exception {
        String cases = """
                - name: analysts stay read-only
                  identity: {subject: ann, groups: [analysts]}
                  sql: SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE
                  expect: deny
                  rule: guardrail.transaction-mode
                  database-user: read-only
                - name: engineers may
                  identity: {subject: eve, groups: [engineers]}
                  sql: SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE
                  expect: allow
                  database-user: read-write
                """;
        assertThat(run(GUARDED, cases, "--read-only-roles", "analyst")).as(out + err).isZero();
        assertThat(out).contains("pass 1 analysts stay read-only: deny by rule guardrail.transaction-mode, database user "
                + "read-only (role analyst)").contains("pass 2 engineers may: allow by rule default.known-identity, database user read-write");
        // without the option, the configuration has no read-only role user: the case says what it expected
        assertThat(run(GUARDED, cases)).as(out + err).isEqualTo(1);
        assertThat(out).contains("FAIL 1 analysts stay read-only: expected deny by rule guardrail.transaction-mode, database user "
                + "read-only, got allow by rule default.known-identity, database user read-write");
        // a case's read-only-roles replaces the option
        String own = cases.replace("  database-user: read-only\n", "  database-user: read-only\n  read-only-roles: [analyst]\n");
        assertThat(run(GUARDED, own)).as(out + err).isZero();
    }

    @Test
    void theAffectedRowsCeilingIsReportedAndMayBeExpected() throws Exception {
        String cases = """
                - identity: {subject: eve, groups: [engineers]}
                  sql: UPDATE orders SET status = 'x' WHERE id = 1
                  expect: allow
                  ceiling: 1000
                - identity: {subject: ann, groups: [analysts]}
                  sql: UPDATE orders SET status = 'x' WHERE id = 1
                  expect: allow
                  ceiling: none
                - identity: {subject: ann, groups: [analysts]}
                  sql: UPDATE orders SET status = 'x' WHERE id = 1
                  expect: allow
                  ceiling: 10
                """;
        assertThat(run(GUARDED, "tables: {orders: [id int8, status text]}\ncases:\n" + cases.indent(2))).as(out + err).isEqualTo(1);
        assertThat(out).contains("pass 1: allow by rule default.known-identity, database user read-write, affected-rows ceiling 1000")
                .contains("pass 2: allow by rule default.known-identity, database user read-write\n")
                .contains("FAIL 3: expected allow, ceiling 10, got allow by rule default.known-identity")
                .contains("3 case(s): 2 passed, 1 failed");
        assertThat(run(GUARDED, "- {role: engineer, sql: SELECT 1, expect: allow, ceiling: many}")).isEqualTo(2);
        assertThat(err).contains("case 1: ceiling is the max-rows of the affected-rows ceiling expected, or none, not \"many\"");
    }

    @Test
    void aBrokenPolicyFileExitsTwoWithTheLoadersMessage() throws Exception {
        String broken = yamlBlock(0).replace("\"delete\" in statement.actions", "\"delete\" in statement.actionz");
        assertThat(run(broken, casesBlock())).isEqualTo(2);
        assertThat(err).containsPattern("policy\\.yaml:\\d+:\\d+: rule orders-never-deleted: when: .*statement\\.actionz");
        assertThat(out).isEmpty();
    }

    @Test
    void aPolicyForAnotherEnvironmentIsRefusedAsVeilWouldRefuseIt() throws Exception {
        assertThat(run(yamlBlock(0), "- {role: engineer, sql: SELECT 1, expect: allow}", "--environment", "staging")).isEqualTo(2);
        assertThat(err).contains("this file is for environment \"prod\", and this Veil serves \"staging\"");
    }

    @Test
    void aBrokenCasesFileExitsTwoNamingTheCaseAndTheField() throws Exception {
        assertThat(run(yamlBlock(0), "- {role: engineer, sql: SELECT 1, expect: maybe}")).isEqualTo(2);
        assertThat(err).contains("case 1: expect is allow, deny or require-approval, not \"maybe\"");
        assertThat(run(yamlBlock(0), "- {identity: {subject: x, kind: robot}, sql: SELECT 1, expect: allow}")).isEqualTo(2);
        assertThat(err).contains("case 1: identity.kind is person, service or agent, not \"robot\"");
        assertThat(run(yamlBlock(0), "- {sql: SELECT 1, expect: allow}")).isEqualTo(2);
        assertThat(err).contains("case 1: who asks is missing");
        assertThat(run(yamlBlock(0), "cases: [\n  {role: x, sql: 1\n")).isEqualTo(2);
        assertThat(err).containsPattern("cases\\.yaml:\\d+:\\d+: not valid YAML");
    }
}
