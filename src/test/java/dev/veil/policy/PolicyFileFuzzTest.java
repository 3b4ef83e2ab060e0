package dev.veil.policy;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.veil.analysis.Analysis;
import dev.veil.analysis.Dialect;
import dev.veil.analysis.NameResolution;
import dev.veil.analysis.ShopCatalog;
import dev.veil.analysis.StatementAnalyzer;
import dev.veil.identity.Identity;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzz target for the policy file loader over any bytes (read as UTF-8, as the file is): the result is a
 * {@link PolicySet} that decides statements, or a {@link PolicyProblem} whose every mistake is placed in the text
 * (line and column from 1, within it) and says what is wrong; nothing else is thrown. `make test` runs it on its
 * checked-in inputs ({@code PolicyFileFuzzTestInputs/policyFile/}, seeded from docs/policy.md's example); `make fuzz`
 * fuzzes it (docs/testing.md).
 */
class PolicyFileFuzzTest {
    private static final String SOURCE = "policy.yaml";
    private static final StatementAnalyzer ANALYZER = new StatementAnalyzer();
    private static final List<Analysis> STATEMENTS = List.of(
            analysed("SELECT id FROM orders"), analysed("DELETE FROM orders WHERE id = 1"), analysed("DROP TABLE orders"));
    private static final List<SessionFacts> ASKERS = List.of(
            new SessionFacts(new Identity("ann", List.of(), Identity.Source.OIDC_TOKEN, "corp", null, List.of("analysts"),
                    Map.of("department", "finance")), "10.0.0.7", "psql"),
            new SessionFacts(new Identity("breakglass", List.of("admin"), Identity.Source.LOCAL_ACCOUNT), null, null),
            new SessionFacts(new Identity("svc-reports", List.of(), Identity.Source.SERVICE_ACCOUNT), null, null));

    private static Analysis analysed(String sql) {
        return ANALYZER.analyze(Dialect.POSTGRESQL, ShopCatalog.postgres(), NameResolution.postgres("shop"), sql);
    }

    @FuzzTest
    void policyFile(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        PolicySet set;
        try {
            set = PolicyParser.parse(text, SOURCE, "prod");
        } catch (PolicyProblem problem) {
            assertThat(problem.mistakes()).isNotEmpty();
            int lines = (int) text.lines().count() + 1;
            for (PolicyProblem.Mistake m : problem.mistakes()) {
                assertThat(m.line()).as("line of %s", m).isBetween(1, Math.max(lines, 1));
                assertThat(m.column()).as("column of %s", m).isPositive();
                assertThat(m.what()).as("what of %s", m).isNotBlank();
            }
            assertThat(problem.getMessage()).startsWith(SOURCE + ":");
            return;
        }
        assertThat(set.version()).isEqualTo(PolicyParser.version(text));
        PolicyEngine engine = PolicyEngine.builtIn(Clock.fixed(Instant.parse("2026-01-31T03:00:00Z"), ZoneOffset.UTC));
        engine.install(set);
        for (SessionFacts asker : ASKERS) {
            for (Analysis a : STATEMENTS) {
                Decision d = engine.decide(new StatementFacts(Dialect.POSTGRESQL, "", false, a, asker, "shop"));
                assertThat(d.rule()).isNotBlank();
                assertThat(d.policyVersion()).isEqualTo(set.version());
            }
        }
    }
}
