package dev.veil.policy;

import dev.veil.analysis.Analysis;
import dev.veil.analysis.AnalysisCache;
import dev.veil.analysis.Dialect;
import dev.veil.analysis.NameResolution;
import dev.veil.analysis.ShopCatalog;
import dev.veil.analysis.StatementAnalyzer;
import dev.veil.analysis.catalog.CatalogSnapshot;
import dev.veil.analysis.catalog.ColumnInfo;
import dev.veil.analysis.catalog.RelationInfo;
import dev.veil.classification.CatalogTags;
import dev.veil.classification.ColumnClassification;
import dev.veil.classification.ColumnClassifier;
import dev.veil.classification.ColumnFacts;
import dev.veil.identity.Identity;
import dev.veil.masking.Masker;
import dev.veil.testing.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Masking plans made from a mask rule's directives and real analyses of statements against the shop catalog. */
class MaskPlannerTest {
    static final String POLICY = """
            roles:
              analyst:
                local-accounts: [ann]
              admin:
                local-accounts: [root]
            rules:
              - name: admins-see-all
                when: '"admin" in identity.roles'
                outcome: allow
              - name: analysts-masked
                when: '"analyst" in identity.roles'
                outcome: mask
                mask:
                  - {tag: email, masker: email}
                  - {tag: phone, masker: partial(4)}
                  - {tag: national_id, masker: partial(4)}
                  - {tag: credit_card, masker: partial(2)}
                  - {tag: date_of_birth, masker: date-to-year}
                  - {tag: person_name, masker: pseudonym, filter: equality}
            """;

    private final AnalysisCache analyses = new AnalysisCache(new StatementAnalyzer(), 100);
    private final CatalogSnapshot pgShop = classified(ShopCatalog.postgres());
    private final CatalogSnapshot myShop = classified(ShopCatalog.mysql());
    private final PolicyEngine engine = PolicyEngine.builtIn(new MutableClock(Instant.parse("2026-12-06T10:00:00Z")));
    private final SessionFacts ann = session("ann");
    private final SessionFacts root = session("root");

    MaskPlannerTest() throws PolicyProblem {
        engine.install(PolicyParser.parse(POLICY, "policy.yaml", "prod"));
    }

    static SessionFacts session(String name) {
        return new SessionFacts(new Identity(name, List.of(), Identity.Source.LOCAL_ACCOUNT), "10.0.0.1", "psql");
    }

    /** Tagged by names and types, as a catalog load does before sampling. */
    static CatalogSnapshot classified(CatalogSnapshot s) {
        Map<List<String>, ColumnClassification> tags = new LinkedHashMap<>();
        for (RelationInfo r : s.userRelations()) {
            for (ColumnInfo c : r.columns()) {
                tags.put(List.of(r.schema(), r.name(), c.name()),
                        ColumnClassifier.classify(new ColumnFacts(c.name(), c.type(), c.comment())));
            }
        }
        return s.withTags(CatalogTags.of(tags), s.version() + 1);
    }

    private Analysis analysis(Dialect dialect, String sql) {
        return dialect == Dialect.MYSQL
                ? analyses.analyze(Dialect.MYSQL, myShop, NameResolution.mysql("shop"), sql)
                : analyses.analyze(Dialect.POSTGRESQL, pgShop, NameResolution.postgres("shop"), sql);
    }

    private Decision decide(SessionFacts who, Dialect dialect, String sql) {
        return engine.decide(new StatementFacts(dialect, sql, false, analysis(dialect, sql), who, "shop"));
    }

    private MaskingPlan pg(String sql) {
        Decision d = decide(ann, Dialect.POSTGRESQL, sql);
        assertThat(d).as(sql).isInstanceOf(Decision.Allow.class);
        return ((Decision.Allow) d).masking();
    }

    private MaskingPlan my(String sql) {
        Decision d = decide(ann, Dialect.MYSQL, sql);
        assertThat(d).as(sql).isInstanceOf(Decision.Allow.class);
        return ((Decision.Allow) d).masking();
    }

    private String refusal(Dialect dialect, String sql) {
        Decision d = decide(ann, dialect, sql);
        assertThat(d).as(sql).isInstanceOf(Decision.Deny.class);
        assertThat(d.rule()).isEqualTo("analysts-masked");
        return ((Decision.Deny) d).reason();
    }

    @Test
    void aSelectedColumnIsMaskedWithItsTagsMaskerAndTheResultWidthIsKnown() {
        MaskingPlan plan = pg("SELECT id, email, city FROM customers");
        assertThat(plan.columns()).containsExactly(new MaskingPlan.ColumnMask(1, "email", List.of("email"),
                new Masker.Email(), false, List.of("public.customers.email")));
        assertThat(plan.resultColumns()).isEqualTo(3);
        assertThat(plan.masksResults()).isTrue();
        assertThat(plan.probes()).isEmpty();
    }

    @Test
    void thePlanNamesTheStatementsOwnRelationsAndColumnsForErrorScrubbing() {
        MaskingPlan plan = pg("SELECT id, upper(email) AS shout FROM customers WHERE city = 'x'");
        assertThat(plan.identifiers()).contains("customers", "id", "email", "shout", "city")
                .doesNotContain("x", "orders");
    }

    @Test
    void aStatementReadingNothingMaskedHasNoMaskedColumnsAndNoWidth() {
        MaskingPlan plan = pg("SELECT id, status, amount FROM orders");
        assertThat(plan.columns()).isEmpty();
        assertThat(plan.resultColumns()).isEqualTo(-1);
        assertThat(plan.masksResults()).isFalse();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '~', quoteCharacter = '"', value = {
            "SELECT upper(email) FROM customers~email",
            "SELECT substr(ssn, 1, 3) FROM customers~national_id",
            "SELECT email || '' FROM customers~email",
            "SELECT string_agg(email, ',') FROM customers~email",
            "SELECT array_agg(phone) FROM customers~phone",
            "SELECT CAST(ssn AS text) FROM customers~national_id",
            "SELECT ssn::int FROM customers~national_id",
            "SELECT CASE WHEN id > 0 THEN email ELSE 'x' END FROM customers~email",
            "SELECT status FROM orders UNION ALL SELECT email FROM customers~email",
            "WITH x AS (SELECT email AS e FROM customers) SELECT e FROM x~email",
            "SELECT email FROM customer_contacts~email",
            "SELECT first_value(email) OVER (ORDER BY id) FROM customers~email",
            "SELECT min(ssn) FROM customers~national_id",
            "SELECT max(email) FROM customers~email",
            "SELECT mode() WITHIN GROUP (ORDER BY email) FROM customers~email",
            "SELECT extract(year FROM birth_date) FROM customers~date_of_birth",
            "SELECT (SELECT max(card_number) FROM customers)~credit_card",
    })
    void derivedColumnsAreMaskedByTheirOrigins(String sql, String tag) {
        MaskingPlan plan = pg(sql);
        assertThat(plan.columns()).as(sql).hasSize(1);
        assertThat(plan.columns().get(0).index()).isZero();
        assertThat(plan.columns().get(0).tags()).containsExactly(tag);
        assertThat(plan.resultColumns()).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"SELECT c FROM customers c", "SELECT row_to_json(c) FROM customers c",
            "SELECT to_jsonb(c) FROM customers c", "SELECT json_agg(c) FROM customers c"})
    void aWholeRowIsRedactedByTheStrictestDirectiveOfItsColumns(String sql) {
        MaskingPlan plan = pg(sql);
        assertThat(plan.columns()).as(sql).hasSize(1);
        MaskingPlan.ColumnMask c = plan.columns().get(0);
        // The strictest directive is partial(2), which keeps part of a value: a row's text is redacted whole.
        assertThat(c.masker()).isEqualTo(new Masker.Redact());
        assertThat(c.tags().get(0)).isEqualTo("credit_card");
        assertThat(c.tags()).contains("email", "phone", "national_id", "date_of_birth", "person_name");
        assertThat(c.origins()).contains("public.customers.email", "public.customers.ssn");
        assertThat(c.origins()).doesNotContain("public.customers.id");
    }

    @Test
    void aLateralSubQueryReturningAMaskedColumnIsMasked() {
        MaskingPlan plan = pg("SELECT o.id, x.e FROM orders o, LATERAL (SELECT upper(c.email) AS e FROM customers c "
                + "WHERE c.id = o.customer_id) x");
        assertThat(plan.columns()).extracting(MaskingPlan.ColumnMask::index).containsExactly(1);
        assertThat(plan.columns().get(0).masker()).isEqualTo(new Masker.Redact());
    }

    @Test
    void aLateralSubQueryCorrelatedOnAMaskedColumnIsRefusedItsDecorrelationJoinsOnIt() {
        assertThat(refusal(Dialect.POSTGRESQL, "SELECT x.e FROM customers c, LATERAL (SELECT upper(c.email) AS e) x"))
                .contains("public.customers.email (email) is masked for you");
        assertThat(refusal(Dialect.POSTGRESQL, "SELECT x.n FROM customers c, LATERAL (SELECT upper(c.full_name) AS n) x"))
                .contains("public.customers.full_name (person_name) is masked for you");
    }

    @Test
    void severalTagsPickTheStrictestMasker() {
        MaskingPlan.ColumnMask c = pg("SELECT email AS contact FROM customers UNION ALL SELECT phone FROM customers")
                .columns().get(0);
        assertThat(c.masker()).isEqualTo(new Masker.Partial(4));
        assertThat(c.tags()).containsExactly("phone", "email");
        assertThat(c.maskerName()).isEqualTo("partial(4)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"SELECT reverse(email) FROM customers", "SELECT upper(email) FROM customers",
            "SELECT substr(ssn, 5) || '' FROM customers", "SELECT coalesce(email, phone) FROM customers",
            "WITH r AS (SELECT reverse(ssn) AS s FROM customers) SELECT s FROM r"})
    void aValueDerivedFromAMaskedColumnIsRedactedWhereItsMaskerWouldKeepPartOfIt(String sql) {
        // email keeps what follows the last '@', partial the last characters: of reverse(email) that is the hidden part.
        MaskingPlan.ColumnMask c = pg(sql).columns().get(0);
        assertThat(c.masker()).as(sql).isEqualTo(new Masker.Redact());
        assertThat(pg("SELECT email, ssn FROM customers").columns()).extracting(MaskingPlan.ColumnMask::masker)
                .containsExactly(new Masker.Email(), new Masker.Partial(4));
    }

    @Test
    void strictnessOrderIsNullifyRedactHashPartialPseudonymEmailDateToYearFixed() {
        List<MaskingPlan.Directive> ds = List.of(new MaskingPlan.Directive("a", "fixed(x)"),
                new MaskingPlan.Directive("b", "date-to-year"), new MaskingPlan.Directive("c", "email"),
                new MaskingPlan.Directive("d", "pseudonym"), new MaskingPlan.Directive("e", "partial(6)"),
                new MaskingPlan.Directive("f", "partial(2)"), new MaskingPlan.Directive("g", "hash"),
                new MaskingPlan.Directive("h", "redact"), new MaskingPlan.Directive("i", "nullify"));
        assertThat(ds.stream().sorted(MaskTags.STRICTEST_FIRST).map(MaskingPlan.Directive::tag))
                .containsExactly("i", "h", "g", "f", "e", "d", "c", "b", "a");
        assertThat(MaskTags.strictest(ds).tag()).isEqualTo("i");
    }

    @Test
    void mySqlResultsAreMaskedByLineageToo() {
        MaskingPlan plan = my("SELECT id, upper(email), concat(phone, '') FROM customers");
        assertThat(plan.columns()).extracting(MaskingPlan.ColumnMask::index).containsExactly(1, 2);
        assertThat(plan.columns().get(0).origins()).containsExactly("shop.customers.email");
        assertThat(plan.columns().get(1).masker()).as("derived: partial would keep part of it").isEqualTo(new Masker.Redact());
        assertThat(plan.resultColumns()).isEqualTo(3);
        assertThat(my("SELECT email FROM customer_contacts").columns()).hasSize(1);
        assertThat(my("SELECT min(ssn), max(birth_date) FROM customers").columns()).hasSize(2);
    }

    @Test
    void aStatementVeilCouldNotAnalyseIsRefusedUnderAMaskRule() {
        assertThat(refusal(Dialect.POSTGRESQL, "SELECT email FROM customers; SELECT 1"))
                .startsWith("masking rule analysts-masked: this statement could not be analysed");
        assertThat(refusal(Dialect.POSTGRESQL, "SELEC email FROM customers")).contains("fail closed");
    }

    @Test
    void aResultColumnOfUnknownLineageIsRefusedByDefault() {
        assertThat(refusal(Dialect.MYSQL, "SELECT @v"))
                .startsWith("masking rule analysts-masked: Veil cannot trace where result column 1 (EXPR$0) comes from");
    }

    @Test
    void withUnknownLineageScanAColumnOfUnknownLineageIsScannedWithTheStrictestMasker() throws PolicyProblem {
        engine.install(PolicyParser.parse(POLICY + "    unknown-lineage: scan\n", "policy.yaml", "prod"));
        MaskingPlan plan = my("SELECT @v");
        assertThat(plan.columns()).containsExactly(new MaskingPlan.ColumnMask(0, "EXPR$0", List.of(), new Masker.Partial(2), true));
        assertThat(plan.resultColumns()).isEqualTo(1);
    }

    @Test
    void whatDriversAndClientsSendOnConnectRunsUnmasked() {
        for (String sql : List.of("SELECT version()", "SHOW TRANSACTION ISOLATION LEVEL", "SELECT current_schema()",
                "SET extra_float_digits = 3", "SELECT n.nspname, c.relname FROM pg_catalog.pg_class c "
                        + "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relname = 'customers'")) {
            assertThat(pg(sql).masksResults()).as(sql).isFalse();
        }
        for (String sql : List.of("SELECT @@version_comment LIMIT 1", "SELECT DATABASE(), USER() LIMIT 1",
                "SHOW VARIABLES LIKE 'sql_mode'", "SET NAMES utf8mb4")) {
            assertThat(my(sql).masksResults()).as(sql).isFalse();
        }
    }

    @Test
    void statementsWithoutAResultNeedNoPlan() {
        for (String sql : List.of("BEGIN", "SET search_path = public", "COMMIT")) {
            MaskingPlan plan = pg(sql);
            assertThat(plan.masksResults()).as(sql).isFalse();
            assertThat(plan.probes()).isEmpty();
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "SELECT id FROM customers WHERE ssn = '123-45-6789'|public.customers.ssn (national_id) is masked for you and cannot be used in WHERE",
            "SELECT id FROM customers WHERE ssn LIKE '1%'|cannot be used in WHERE",
            "SELECT o.id FROM orders o JOIN customers c ON c.email = o.status|public.customers.email (email) is masked for you and cannot be used in a JOIN condition",
            "SELECT count(*) FROM customers GROUP BY phone|public.customers.phone (phone) is masked for you and cannot be used in GROUP BY",
            "SELECT DISTINCT email FROM customers|cannot be used in DISTINCT",
            "SELECT id FROM customers ORDER BY ssn|cannot be used in ORDER BY",
            "SELECT id, row_number() OVER (PARTITION BY email) FROM customers|cannot be used in a window's PARTITION BY or ORDER BY",
            "SELECT city FROM customers GROUP BY city HAVING max(ssn) > '5'|cannot be used in HAVING",
            "SELECT id FROM customers WHERE id IN (SELECT id FROM customers WHERE card_number LIKE '4%')|public.customers.card_number (credit_card)",
    })
    void aMaskedColumnUsedToFilterJoinGroupOrOrderIsRefused(String sql, String message) {
        assertThat(refusal(Dialect.POSTGRESQL, sql)).contains(message).endsWith("(an approval does not lift this); use a role that sees it");
    }

    @Test
    void filtersVeilCannotTraceAreRefusedOnlyWhereAMaskedColumnCouldBeAmongThem() {
        assertThat(refusal(Dialect.POSTGRESQL, "SELECT c.id FROM customers c, generate_series(1, 2) g WHERE c.city = 'x'"))
                .contains("could not trace every column this statement filters");
        assertThat(pg("SELECT o.id FROM orders o, generate_series(1, 2) g WHERE o.status = 'x'").masksResults()).isFalse();
    }

    @Test
    void mySqlFiltersOnMaskedColumnsAreRefusedToo() {
        assertThat(refusal(Dialect.MYSQL, "SELECT id FROM customers WHERE ssn LIKE '1%'"))
                .contains("column shop.customers.ssn (national_id) is masked for you and cannot be used in WHERE");
    }

    @ParameterizedTest
    @ValueSource(strings = {"SELECT id FROM customers WHERE full_name = 'Ann Lee'",
            "SELECT id FROM customers WHERE full_name IN ('Ann Lee', 'Bo Ek')",
            "SELECT id FROM customers WHERE full_name <> 'Ann Lee'",
            "SELECT id FROM customers WHERE full_name IS NULL",
            "SELECT count(*) FROM customers GROUP BY full_name",
            "SELECT DISTINCT full_name FROM customers",
            "SELECT a.id FROM customers a JOIN customers b ON a.full_name = b.full_name"})
    void equalityFilterAllowsEqualityEquiJoinsGroupingAndDistinctAsProbes(String sql) {
        MaskingPlan plan = pg(sql);
        assertThat(plan.probes()).as(sql).containsExactly("public.customers.full_name");
    }

    @ParameterizedTest
    @ValueSource(strings = {"SELECT id FROM customers WHERE full_name LIKE 'A%'",
            "SELECT id FROM customers WHERE full_name > 'M'",
            "SELECT id FROM customers WHERE substr(full_name, 1, 1) = 'A'",
            "SELECT id FROM customers WHERE upper(full_name) = 'ANN LEE'",
            "SELECT id FROM (SELECT id, substr(full_name, 1, 1) AS f FROM customers) x WHERE f = 'A'",
            "SELECT id FROM customers ORDER BY full_name"})
    void equalityFilterRefusesEverythingElse(String sql) {
        assertThat(refusal(Dialect.POSTGRESQL, sql)).as(sql).contains("public.customers.full_name (person_name)")
                .contains("filter: equality");
    }

    @Test
    void anyFilterAllowsEveryUseAsProbes() throws PolicyProblem {
        engine.install(PolicyParser.parse(POLICY.replace("{tag: national_id, masker: partial(4)}",
                "{tag: national_id, masker: partial(4), filter: any}"), "policy.yaml", "prod"));
        assertThat(pg("SELECT id FROM customers WHERE ssn LIKE '1%' ORDER BY ssn").probes())
                .containsExactly("public.customers.ssn");
    }

    @ParameterizedTest
    @ValueSource(strings = {"CREATE TABLE copy AS SELECT id, email FROM customers",
            "SELECT email INTO copy FROM customers",
            "INSERT INTO orders (status) SELECT email FROM customers",
            "UPDATE orders SET status = (SELECT max(upper(email)) FROM customers)",
            "COPY (SELECT email FROM customers) TO '/tmp/emails'"})
    void aMaskedColumnFlowingIntoAWriteIsRefused(String sql) {
        assertThat(refusal(Dialect.POSTGRESQL, sql)).as(sql).contains("public.customers.email (email) is masked for you");
    }

    @ParameterizedTest
    @ValueSource(strings = {"CREATE TABLE copy SELECT id, email FROM customers",
            "INSERT INTO orders (status) SELECT email FROM customers",
            "SELECT email INTO OUTFILE '/tmp/emails' FROM customers"})
    void mySqlWritesOfMaskedColumnsAreRefused(String sql) {
        assertThat(refusal(Dialect.MYSQL, sql)).as(sql).contains("shop.customers.email (email) is masked for you");
    }

    @Test
    void writesOfUnmaskedValuesAndCopyToTheClientAreAllowed() {
        assertThat(pg("INSERT INTO orders (status) VALUES ('new')").masksResults()).isFalse();
        assertThat(pg("UPDATE orders SET status = 'x' WHERE id = 1").masksResults()).isFalse();
        MaskingPlan copy = pg("COPY (SELECT id, email FROM customers) TO STDOUT");
        assertThat(copy.columns()).extracting(MaskingPlan.ColumnMask::index).containsExactly(1);
        assertThat(pg("INSERT INTO orders (status) VALUES ('x') RETURNING id, status").masksResults()).isFalse();
    }

    @Test
    void aDeclaredCursorGetsThePlanOfItsQueryAndFetchNamesTheCursor() {
        MaskingPlan declared = pg("DECLARE c CURSOR FOR SELECT id, email FROM customers");
        assertThat(declared.columns()).extracting(MaskingPlan.ColumnMask::index).containsExactly(1);
        assertThat(declared.resultColumns()).isEqualTo(2);
        assertThat(declared.cursor()).isNull();
        MaskingPlan fetch = pg("FETCH 10 FROM c");
        assertThat(fetch.cursor()).isEqualTo("c");
        assertThat(fetch.masksResults()).isTrue();
        assertThat(pg("FETCH NEXT FROM \"Cx\";").cursor()).isEqualTo("Cx");
        assertThat(pg("MOVE 5 IN Big_Cursor").cursor()).isEqualTo("big_cursor");
        assertThat(refusal(Dialect.POSTGRESQL, "DECLARE c CURSOR FOR SELECT id FROM customers WHERE ssn LIKE '1%'"))
                .contains("cannot be used in WHERE");
    }

    @Test
    void theSameAnalysisIsDecidedPerRoleAndTheCacheKeepsThemApart() {
        String sql = "SELECT id, email FROM customers";
        Analysis a = analysis(Dialect.POSTGRESQL, sql);
        StatementFacts asAnn = new StatementFacts(Dialect.POSTGRESQL, sql, false, a, ann, "shop");
        StatementFacts asRoot = new StatementFacts(Dialect.POSTGRESQL, sql, false, a, root, "shop");
        for (int round = 0; round < 2; round++) {
            Decision.Allow analyst = (Decision.Allow) engine.decide(asAnn);
            Decision.Allow admin = (Decision.Allow) engine.decide(asRoot);
            assertThat(analyst.rule()).isEqualTo("analysts-masked");
            assertThat(analyst.masking().columns()).hasSize(1);
            assertThat(admin.rule()).isEqualTo("admins-see-all");
            assertThat(admin.masking().isEmpty()).isTrue();
        }
        assertThat(engine.decide(asAnn)).isSameAs(engine.decide(asAnn));
    }

    @Test
    void fetchPlansAreNotCachedAcrossCursorNames() {
        String one = "FETCH 10 FROM c";
        Analysis a = analysis(Dialect.POSTGRESQL, one);
        Decision.Allow first = (Decision.Allow) engine.decide(new StatementFacts(Dialect.POSTGRESQL, one, false, a, ann, "shop"));
        Decision.Allow other = (Decision.Allow) engine.decide(new StatementFacts(Dialect.POSTGRESQL, "FETCH 10 FROM \"C\"",
                false, a, ann, "shop"));
        assertThat(first.masking().cursor()).isEqualTo("c");
        assertThat(other.masking().cursor()).isEqualTo("C");
    }
}
