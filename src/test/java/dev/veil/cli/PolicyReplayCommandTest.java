package dev.veil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.config.VeilConfig;
import dev.veil.session.StatementAnalysis;
import dev.veil.testing.AuditTrail;
import dev.veil.upstream.UpstreamRegistry;
import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code veil policy replay} over the audit files of real traffic through Veil (no policy in force: every statement
 * allowed under no-policy): a candidate policy that refuses deletes shows the recorded DELETE as newly refused, which
 * takes analysing its recorded, literal-redacted text against the upstream's catalog.
 */
@Tag("servers")
@QuarkusTest
@QuarkusTestResource(VeilTestResource.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PolicyReplayCommandTest {
    private static final String CANDIDATE = """
            roles:
              testers: {local-accounts: [tester]}
            rules:
              - name: no-deletes
                when: '"delete" in statement.actions && "testers" in identity.roles'
                outcome: deny
                reason: deletes go through the back office
            default:
              unknown-identity: {outcome: allow}
            """;

    // A command per run: picocli takes the fields' values as the defaults of the next parse.
    @Inject
    VeilConfig config;
    @Inject
    StatementAnalysis analysis;
    @Inject
    UpstreamRegistry upstreams;

    @TempDir
    Path work;

    private String out;
    private String err;

    @BeforeAll
    void traffic() throws Exception {
        try (Connection c = DriverManager.getConnection(VeilTestResource.veilUrl("shop", ""), VeilTestResource.USER,
                VeilTestResource.PASSWORD); Statement st = c.createStatement()) {
            st.executeQuery("SELECT id FROM orders WHERE customer_id = 424242").close();
            st.executeUpdate("DELETE FROM orders WHERE customer_id = 989898");
        }
        AuditTrail.ofTestVeil().await(r -> r.path("statement").asText().startsWith("DELETE FROM orders WHERE customer_id"), 1);
    }

    private int replay(String policy, String... args) throws Exception {
        Path p = work.resolve("candidate.yaml");
        Files.writeString(p, policy);
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        CommandLine cli = new CommandLine(new PolicyReplayCommand(config, analysis, upstreams));
        cli.setOut(new PrintWriter(o));
        cli.setErr(new PrintWriter(e));
        String[] all = new String[args.length + 4];
        all[0] = "--policy";
        all[1] = p.toString();
        all[2] = "--dir";
        all[3] = VeilTestResource.auditDirectory().toString();
        System.arraycopy(args, 0, all, 4, args.length);
        int exit = cli.execute(all);
        out = o.toString();
        err = e.toString();
        return exit;
    }

    @Test
    void aRecordedDeleteIsNewlyRefusedWithItsRedactedTextWhoAndWhen() throws Exception {
        assertThat(replay(CANDIDATE, "--since", "1h", "--examples", "1000")).as(err).isZero();
        assertThat(out).contains("through " + work.resolve("candidate.yaml")).contains("newly refused")
                .containsPattern("no-deletes +0 +[1-9]")
                .containsPattern("no-policy +[1-9]\\d* +0")
                .containsPattern("tester  main/shop\\n    DELETE FROM orders WHERE customer_id = \\?\\n"
                        + "    was allow by no-policy, now deny by no-deletes")
                .contains("policy rule no-deletes: deletes go through the back office")
                .doesNotContain("989898");
    }

    @Test
    void jsonCarriesTheSameCountsAndExamples() throws Exception {
        assertThat(replay(CANDIDATE, "--since", "1h", "--json", "--examples", "1000")).as(err).isZero();
        JsonNode r = new ObjectMapper().readTree(out);
        assertThat(r.path("newlyRefused").asLong()).isPositive();
        assertThat(r.path("rules").path("no-deletes").path("candidate").asLong()).isEqualTo(r.path("newlyRefused").asLong());
        assertThat(r.path("newlyRefusedExamples")).anySatisfy(e -> {
            assertThat(e.path("statement").asText()).isEqualTo("DELETE FROM orders WHERE customer_id = ?");
            assertThat(e.path("identity").asText()).isEqualTo(VeilTestResource.USER);
            assertThat(e.path("now").path("rule").asText()).isEqualTo("no-deletes");
        });
        assertThat(r.path("newlyAllowed").asLong()).isZero();
    }

    @Test
    void aCandidateCeilingIsCountedForTheStatementsItWouldNowBeUnder() throws Exception {
        String ceiling = """
                roles:
                  testers: {local-accounts: [tester]}
                guardrails:
                  affected-rows-ceiling: {roles: [testers], max-rows: 1000}
                default:
                  known-identity: {outcome: allow}
                  unknown-identity: {outcome: allow}
                """;
        assertThat(replay(ceiling, "--since", "1h", "--examples", "1000")).as(err).isZero();
        assertThat(out).containsPattern("affected-rows ceiling: [1-9]\\d* newly under one")
                .containsPattern("DELETE FROM orders WHERE customer_id = \\?\\n    ceiling was none, now 1000 rows");
        assertThat(replay(ceiling, "--since", "1h", "--json")).as(err).isZero();
        assertThat(new ObjectMapper().readTree(out).path("ceilings").path("newlyUnderCeiling").asLong()).isPositive();
    }

    @Test
    void aWindowInThePastReplaysNothing() throws Exception {
        assertThat(replay(CANDIDATE, "--since", "2000-01-01", "--until", "2000-01-02")).as(err).isZero();
        assertThat(out).containsPattern("statements replayed +0\\n");
    }

    @Test
    void aBrokenCandidateOrTimeExitsTwoWithTheReason() throws Exception {
        assertThat(replay(CANDIDATE.replace("outcome: deny", "outcome: refuse"))).isEqualTo(2);
        assertThat(err).containsPattern("candidate\\.yaml:\\d+:\\d+: .*refuse");
        assertThat(replay(CANDIDATE, "--since", "last tuesday")).isEqualTo(2);
        assertThat(err).contains("--since: \"last tuesday\" is not a time");
    }
}
