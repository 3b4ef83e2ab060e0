package dev.veil.policy;

import dev.veil.analysis.AnalysisCache;
import dev.veil.analysis.Dialect;
import dev.veil.analysis.NameResolution;
import dev.veil.analysis.ShopCatalog;
import dev.veil.analysis.StatementAnalyzer;
import dev.veil.analysis.catalog.CatalogSnapshot;
import dev.veil.identity.Identity;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** docs/policy.md's example is a policy Veil loads, and decides with as the page says; its error sample is real. */
class PolicyDocsExampleTest {
    private static final Path PAGE = Path.of("docs", "policy.md");
    private static final String FILE = "/etc/veil/policy.yaml";

    private final AnalysisCache analyses = new AnalysisCache(new StatementAnalyzer(), 100);
    private final CatalogSnapshot shop = ShopCatalog.postgres();

    /** The page's first YAML block. */
    private static String example() throws IOException {
        String page = Files.readString(PAGE);
        int start = page.indexOf("```yaml\n") + "```yaml\n".length();
        return page.substring(start, page.indexOf("```", start));
    }

    private Decision decide(PolicyEngine engine, Identity who, String sql) {
        return engine.decide(new StatementFacts(Dialect.POSTGRESQL, sql, false,
                analyses.analyze(Dialect.POSTGRESQL, shop, NameResolution.postgres("shop"), sql),
                new SessionFacts(who, "10.0.0.7", "psql"), "shop"));
    }

    @Test
    void aRuleRefusingOneStatementOfATextRefusesTheWholeText() throws Exception {
        PolicyEngine engine = PolicyEngine.builtIn();
        engine.install(PolicyParser.parse(example(), FILE, "prod"));
        Identity engineer = new Identity("breakglass", List.of(), Identity.Source.LOCAL_ACCOUNT);
        for (String text : List.of("SELECT 1; DELETE FROM orders WHERE id = 7", "DELETE FROM orders WHERE id = 7; SELECT 1",
                "SELECT 1; SELECT 2; DELETE FROM orders WHERE id = 7")) {
            Decision d = decide(engine, engineer, text);
            assertThat(d).as(text).isInstanceOf(Decision.Deny.class);
            assertThat(d.rule()).as(text).isEqualTo("orders-never-deleted");
            assertThat(((Decision.Deny) d).reason()).as(text).contains(" in this text: ").contains("orders are never deleted");
        }
        Decision approval = decide(engine, engineer, "SELECT 1; DROP TABLE orders");
        assertThat(approval).isInstanceOf(Decision.RequireApproval.class);
        assertThat(approval.rule()).isEqualTo("schema-changes-approved");
        assertThat(decide(engine, engineer, "SELECT 1; UPDATE orders SET status = 'x' WHERE id = 7"))
                .isInstanceOf(Decision.Allow.class);
    }

    @Test
    void theExampleLoadsAndDecidesAsThePageSays() throws Exception {
        PolicySet set = PolicyParser.parse(example(), FILE, "prod");
        assertThat(set.roleNames()).containsExactly("analyst", "engineer", "reporting", "admin");
        PolicyEngine engine = PolicyEngine.builtIn();
        engine.install(set);

        Identity analyst = new Identity("ann@example.com", List.of(), Identity.Source.OIDC_TOKEN, "corp", null,
                List.of("analysts"), Map.of());
        Identity engineer = new Identity("breakglass", List.of(), Identity.Source.LOCAL_ACCOUNT);
        Identity stranger = new Identity("mallory", List.of(), Identity.Source.LOCAL_ACCOUNT);
        assertThat(decide(engine, analyst, "SELECT id FROM orders").rule()).isEqualTo(PolicySet.KNOWN_DEFAULT);
        assertThat(decide(engine, analyst, "UPDATE orders SET status = 'x' WHERE id = 1").rule()).isEqualTo("analysts-read-only");
        // what pgjdbc sends when it connects, and transactions, stay open to analysts
        assertThat(decide(engine, analyst, "SET extra_float_digits = 3")).isInstanceOf(Decision.Allow.class);
        assertThat(decide(engine, analyst, "BEGIN")).isInstanceOf(Decision.Allow.class);
        assertThat(decide(engine, engineer, "DELETE FROM orders WHERE id = 1").rule()).isEqualTo("orders-never-deleted");
        assertThat(decide(engine, engineer, "DROP TABLE orders")).isInstanceOf(Decision.RequireApproval.class);
        assertThat(decide(engine, new Identity("root", List.of("admin"), Identity.Source.LOCAL_ACCOUNT), "DROP TABLE orders"))
                .isInstanceOf(Decision.Allow.class);
        Decision masked = decide(engine, new Identity("svc-reports", List.of(), Identity.Source.SERVICE_ACCOUNT),
                "SELECT email FROM customers");
        assertThat(((Decision.Allow) masked).masking().directives()).containsExactly(new MaskingPlan.Directive("pii", "redact"));
        assertThat(decide(engine, stranger, "SELECT id FROM orders").rule()).isEqualTo(PolicySet.UNKNOWN_DEFAULT);
    }

    @Test
    void theStartFailureShownOnThePageIsWhatVeilSays() throws Exception {
        String broken = example().replace("\"delete\" in statement.actions", "\"delete\" in statement.actionz")
                .replace("    reason: schema and privilege changes need a second person\n", "");
        PolicyProblem problem = catchThrowableOfType(() -> PolicyParser.parse(broken, FILE, "prod"), PolicyProblem.class);
        List<String> said = problem.getMessage().lines().toList();
        List<String> shown = Files.readString(PAGE).lines().filter(l -> l.startsWith(FILE + ":"))
                .map(l -> l.endsWith("…") ? l.substring(0, l.length() - 1) : l).toList();
        assertThat(shown).hasSize(2);
        assertThat(said).hasSize(2);
        for (int i = 0; i < shown.size(); i++) {
            assertThat(said.get(i)).startsWith(shown.get(i));
        }
    }
}
