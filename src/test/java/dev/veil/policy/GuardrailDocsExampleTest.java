package dev.veil.policy;

import dev.veil.analysis.AnalysisCache;
import dev.veil.analysis.Dialect;
import dev.veil.analysis.NameResolution;
import dev.veil.analysis.ShopCatalog;
import dev.veil.analysis.StatementAnalyzer;
import dev.veil.identity.Identity;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/policy.md's guardrails example loads and decides as the page says, messages included. */
class GuardrailDocsExampleTest {
    private static final Path PAGE = Path.of("docs", "policy.md");
    private final AnalysisCache analyses = new AnalysisCache(new StatementAnalyzer(), 100);

    /** The first YAML block of the page's Guardrails section. */
    static String example() throws IOException {
        String page = Files.readString(PAGE);
        int section = page.indexOf("\n## Guardrails");
        int start = page.indexOf("```yaml\n", section) + "```yaml\n".length();
        return page.substring(start, page.indexOf("```", start));
    }

    private Decision decide(PolicyEngine engine, Identity who, String sql) {
        return engine.decide(new StatementFacts(Dialect.POSTGRESQL, sql, false,
                analyses.analyze(Dialect.POSTGRESQL, ShopCatalog.postgres(), NameResolution.postgres("shop"), sql),
                new SessionFacts(who, "10.0.0.7", "psql"), "shop"));
    }

    private static String reason(Decision d) {
        return d instanceof Decision.Deny deny ? deny.reason() : ((Decision.RequireApproval) d).reason();
    }

    @Test
    void theExampleLoadsAndDecidesAsThePageSays() throws Exception {
        PolicySet set = PolicyParser.parse(example(), "policy.yaml", "prod");
        assertThat(set.guardrailNames()).containsExactly("guardrail.delete-without-where", "guardrail.update-without-where",
                "guardrail.destructive-ddl", "guardrail.dynamic-sql", "guardrail.server-files",
                "guardrail.privilege-changes", "guardrail.transaction-mode", "guardrail.unanalysed");
        PolicyEngine engine = PolicyEngine.builtIn();
        engine.install(set);
        Identity erin = new Identity("erin", List.of(), Identity.Source.LOCAL_ACCOUNT);
        Identity ann = new Identity("ann", List.of(), Identity.Source.OIDC_TOKEN, "corp", null, List.of("analysts"), Map.of());
        Identity root = new Identity("root", List.of("admin"), Identity.Source.LOCAL_ACCOUNT);

        Decision d = decide(engine, erin, "DELETE FROM orders");
        assertThat(d.rule()).isEqualTo("guardrail.delete-without-where");
        assertThat(reason(d)).isEqualTo("guardrail delete-without-where: DELETE on public.orders has no WHERE clause; "
                + "add one or ask for approval");
        assertThat(reason(decide(engine, erin, "SELECT 1; DELETE FROM orders WHERE 1 = 1"))).isEqualTo(
                "guardrail delete-without-where: statement 2 of 2 in this text: DELETE on public.orders has a WHERE clause "
                        + "that keeps every row (it is always true, or does not read the row at all); give it a condition "
                        + "on the rows or ask for approval (a text is refused whole when any of its statements is)");
        assertThat(decide(engine, erin, "DELETE FROM orders WHERE id = 7")).isInstanceOf(Decision.Allow.class);
        // admins: DDL needs an approval; a DELETE without WHERE is theirs to run
        assertThat(decide(engine, root, "DROP TABLE orders")).isInstanceOf(Decision.RequireApproval.class);
        assertThat(decide(engine, root, "DELETE FROM orders")).isInstanceOf(Decision.Allow.class);
        // analysts: no way out of read-only transactions, and no server files
        assertThat(decide(engine, ann, "SET TRANSACTION READ WRITE").rule()).isEqualTo("guardrail.transaction-mode");
        assertThat(decide(engine, ann, "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE").rule())
                .isEqualTo("guardrail.transaction-mode");
        assertThat(decide(engine, ann, "set default_transaction_read_only = off").rule()).isEqualTo("guardrail.transaction-mode");
        assertThat(decide(engine, ann, "SELECT set_config('default_transaction_read_only', 'off', false)").rule())
                .isEqualTo("guardrail.transaction-mode");
        assertThat(decide(engine, ann, "BEGIN READ WRITE").rule()).isEqualTo("guardrail.transaction-mode");
        assertThat(decide(engine, ann, "BEGIN")).isInstanceOf(Decision.Allow.class);
        assertThat(decide(engine, ann, "SELECT pg_read_file('/etc/passwd')").rule()).isEqualTo("guardrail.server-files");
        assertThat(decide(engine, erin, "SET TRANSACTION READ WRITE")).isInstanceOf(Decision.Allow.class);
    }
}
