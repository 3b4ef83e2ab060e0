package dev.veil.policy;

import dev.veil.analysis.AnalysisCache;
import dev.veil.analysis.Dialect;
import dev.veil.analysis.NameResolution;
import dev.veil.analysis.ShopCatalog;
import dev.veil.analysis.StatementAnalyzer;
import dev.veil.identity.Identity;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The evasion suite against the engine alone (no servers): every case of evasion-cases.txt, analysed against the
 * shop catalog and decided for an engineer under docs/policy.md's guardrails example. The same cases run through
 * Veil to real servers in Pg/MySqlGuardrailEvasionTest.
 */
class GuardrailEvasionTest {
    private final AnalysisCache analyses = new AnalysisCache(new StatementAnalyzer(), 1000);

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void everyEvasionIsRefusedAndOrdinaryStatementsRun(Dialect dialect) throws Exception {
        PolicyEngine engine = PolicyEngine.builtIn();
        engine.install(PolicyParser.parse(GuardrailDocsExampleTest.example(), "policy.yaml", "prod"));
        SessionFacts engineer = new SessionFacts(new Identity("erin", List.of(), Identity.Source.LOCAL_ACCOUNT), "10.0.0.7", "psql");
        List<EvasionCases.Case> cases = EvasionCases.of(dialect);
        List<String> wrong = new ArrayList<>();
        for (EvasionCases.Case c : cases) {
            // twice: the second decision comes from the caches, and must be the same
            for (int round = 0; round < 2; round++) {
                Decision d = engine.decide(new StatementFacts(dialect, c.sql(), false, analyses.analyze(dialect,
                        dialect == Dialect.POSTGRESQL ? ShopCatalog.postgres() : ShopCatalog.mysql(),
                        dialect == Dialect.POSTGRESQL ? NameResolution.postgres("shop") : NameResolution.mysql("shop"), c.sql()),
                        engineer, "shop"));
                boolean refused = !(d instanceof Decision.Allow);
                if (refused != c.refused()) {
                    wrong.add(c + " -> " + d.rule() + (d instanceof Decision.Deny deny ? ": " + deny.reason() : ""));
                } else if (refused) {
                    assertThat(d.rule()).as(c.toString()).matches("guardrail\\..*|builtin\\..*");
                }
            }
        }
        assertThat(wrong).as("cases decided the wrong way").isEmpty();
        assertThat(cases.stream().filter(EvasionCases.Case::refused).count()).isGreaterThanOrEqualTo(150);
    }
}
