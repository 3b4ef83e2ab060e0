package dev.veil.demo;

import dev.veil.analysis.AnalysisCache;
import dev.veil.analysis.Dialect;
import dev.veil.analysis.NameResolution;
import dev.veil.analysis.ShopCatalog;
import dev.veil.analysis.StatementAnalyzer;
import dev.veil.analysis.catalog.CatalogSnapshot;
import dev.veil.identity.Identity;
import dev.veil.classification.Tag;
import dev.veil.policy.Decision;
import dev.veil.policy.MaskingPlan;
import dev.veil.policy.PolicyEngine;
import dev.veil.policy.PolicyParser;
import dev.veil.policy.SessionFacts;
import dev.veil.policy.StatementFacts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The shipped demo policy does what the README's tour shows, on both dialects: analysts read, engineers write under
 * guardrails, admins may do anything but destructive DDL needs an approval; the copy Veil writes is that file.
 */
class DemoPolicyTest {
    private final AnalysisCache analyses = new AnalysisCache(new StatementAnalyzer(), 100);
    private final PolicyEngine engine = PolicyEngine.builtIn();

    DemoPolicyTest() throws Exception {
        engine.install(PolicyParser.parse(shipped(), "demo-policy.yaml", "dev"));
    }

    private static String shipped() throws IOException {
        try (InputStream in = DemoPolicyTest.class.getResourceAsStream(DemoPolicy.RESOURCE)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private Decision decide(Dialect dialect, String account, String sql) {
        return decide(dialect, account, List.of(), sql);
    }

    /** {@code granted}: policy roles the account holds just in time (docs/access.md). */
    private Decision decide(Dialect dialect, String account, List<String> granted, String sql) {
        SessionFacts who = new SessionFacts(new Identity(account, List.of(account), Identity.Source.LOCAL_ACCOUNT),
                "127.0.0.1", "psql", false, granted);
        CatalogSnapshot catalog = dialect == Dialect.POSTGRESQL ? ShopCatalog.postgres() : ShopCatalog.mysql();
        NameResolution names = dialect == Dialect.POSTGRESQL ? NameResolution.postgres("shop") : NameResolution.mysql("shop");
        return engine.decide(new StatementFacts(dialect, sql, false, analyses.analyze(dialect, catalog, names, sql), who, "shop"));
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void analystsRead(Dialect dialect) {
        assertThat(decide(dialect, "analyst", "SELECT status, count(*) FROM orders GROUP BY status")).isInstanceOf(Decision.Allow.class);
        Decision write = decide(dialect, "analyst", "UPDATE orders SET status = 'paid' WHERE id = 1");
        assertThat(write.rule()).isEqualTo("analysts-read-only");
        assertThat(((Decision.Deny) write).reason()).isEqualTo("policy rule analysts-read-only: analysts only read; ask an engineer to change data");
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void engineersWriteUnderGuardrails(Dialect dialect) {
        assertThat(decide(dialect, "engineer", "UPDATE orders SET status = 'paid' WHERE id = 1")).isInstanceOf(Decision.Allow.class);
        assertThat(decide(dialect, "engineer", "DELETE FROM orders").rule()).isEqualTo("guardrail.delete-without-where");
        assertThat(decide(dialect, "engineer", "UPDATE orders SET status = 'x' WHERE 1 = 1").rule())
                .isEqualTo("guardrail.update-without-where");
        assertThat(decide(dialect, "engineer", "DROP TABLE orders")).isInstanceOf(Decision.RequireApproval.class);
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void adminsDoAnythingButDestructiveDdlNeedsAnApproval(Dialect dialect) {
        assertThat(decide(dialect, "admin", "DELETE FROM orders")).isInstanceOf(Decision.Allow.class);
        assertThat(decide(dialect, "admin", "CREATE TABLE notes (id int)")).isInstanceOf(Decision.Allow.class);
        for (String ddl : List.of("DROP TABLE orders", "TRUNCATE TABLE orders", "ALTER TABLE orders ADD COLUMN note text")) {
            Decision d = decide(dialect, "admin", ddl);
            assertThat(d).as(ddl).isInstanceOf(Decision.RequireApproval.class);
            assertThat(d.rule()).isEqualTo("guardrail.destructive-ddl");
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void destructiveDdlOnceApprovedRunsForAdminsAndEngineers(Dialect dialect) {
        for (String who : List.of("admin", "engineer")) {
            for (String ddl : List.of("DROP TABLE orders", "TRUNCATE TABLE orders", "ALTER TABLE orders ADD COLUMN note text")) {
                assertThat(decide(dialect, who, ddl)).as(who + ": " + ddl).isInstanceOf(Decision.RequireApproval.class);
                Decision approved = approved(dialect, who, ddl);
                assertThat(approved).as(who + ": " + ddl).isInstanceOf(Decision.Allow.class);
                assertThat(((Decision.Allow) approved).masking().columns()).isEmpty();
            }
        }
    }

    private Decision approved(Dialect dialect, String account, String sql) {
        SessionFacts who = new SessionFacts(new Identity(account, List.of(account), Identity.Source.LOCAL_ACCOUNT),
                "127.0.0.1", "psql", false, List.of());
        CatalogSnapshot catalog = dialect == Dialect.POSTGRESQL ? ShopCatalog.postgres() : ShopCatalog.mysql();
        NameResolution names = dialect == Dialect.POSTGRESQL ? NameResolution.postgres("shop") : NameResolution.mysql("shop");
        return engine.decideApproved(new StatementFacts(dialect, sql, false, analyses.analyze(dialect, catalog, names, sql),
                who, "shop"));
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void analystsAndEngineersGetThePersonalDataMaskedAndAdminsSeeItClear(Dialect dialect) {
        String read = "SELECT full_name, email, phone, ssn, card_number, birth_date FROM customers WHERE id = 1";
        for (String account : List.of("analyst", "engineer")) {
            Decision d = decide(dialect, account, read);
            assertThat(d).as(account).isInstanceOf(Decision.Allow.class);
            assertThat(d.rule()).as(account).isEqualTo("pii-masked-for-analysts-and-engineers");
            assertThat(((Decision.Allow) d).masking().directives())
                    .extracting(MaskingPlan.Directive::tag, MaskingPlan.Directive::masker)
                    .containsExactly(tuple("email", "email"), tuple("phone", "partial(4)"), tuple("national_id", "partial(4)"),
                            tuple("credit_card", "partial(4)"), tuple("date_of_birth", "date-to-year"));
            // the classifier's own labels, which it gives the shop's columns (CatalogClassificationTest): no tags section
            assertThat(((Decision.Allow) d).masking().directives()).allSatisfy(m -> assertThat(Tag.of(m.tag())).isPresent());
        }
        Decision admin = decide(dialect, "admin", read);
        assertThat(admin).isInstanceOf(Decision.Allow.class);
        assertThat(((Decision.Allow) admin).masking().isEmpty()).isTrue();
        // an engineer granted admin just in time sees what admin sees; an analyst cannot hold that grant
        Decision granted = decide(dialect, "engineer", List.of("admin"), read);
        assertThat(((Decision.Allow) granted).masking().isEmpty()).isTrue();
        assertThat(decide(dialect, "analyst", List.of("admin"), read).rule()).isEqualTo("pii-masked-for-analysts-and-engineers");
        // the deny rule comes first: an analyst's write is still refused, not masked
        assertThat(decide(dialect, "analyst", "UPDATE customers SET city = 'x' WHERE id = 1").rule()).isEqualTo("analysts-read-only");
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void anIdentityWithoutADemoRoleIsRefused(Dialect dialect) {
        assertThat(decide(dialect, "mallory", "SELECT 1")).isInstanceOf(Decision.Deny.class);
    }

    @Test
    void theCopyIsTheShippedFileAndGoesAwayWithTheDemo() throws Exception {
        DemoPolicy policy = new DemoPolicy();
        Path copy = policy.file();
        assertThat(Files.readString(copy)).isEqualTo(shipped());
        assertThat(policy.file()).isEqualTo(copy);
        policy.delete();
        assertThat(copy).doesNotExist();
        assertThat(copy.getParent()).doesNotExist();
    }
}
