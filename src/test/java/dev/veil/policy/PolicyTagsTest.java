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
import dev.veil.classification.Tag;
import dev.veil.classification.TagEvidence;
import dev.veil.identity.Identity;
import dev.veil.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The policy file's tags section, and the effective tags conditions see in statement.columns[].tags. */
class PolicyTagsTest {
    private static final String ROLES = """
            roles:
              analyst:
                local-accounts: [ann]
            """;
    private static final String PII_RULE = """
            rules:
              - name: no-pii
                when: statement.columns.exists(c, c.tags.exists(t, t in ["email", "national_id", "free_text"]))
                outcome: deny
                reason: this statement reads PII
            """;

    private final AnalysisCache analyses = new AnalysisCache(new StatementAnalyzer(), 100);
    private final CatalogSnapshot shop = classified(ShopCatalog.postgres());
    private final PolicyEngine engine = PolicyEngine.builtIn(new MutableClock(Instant.parse("2026-12-06T10:00:00Z")));
    private final SessionFacts ann = new SessionFacts(new Identity("ann", List.of(), Identity.Source.LOCAL_ACCOUNT), "10.0.0.1", "psql");

    /** Tagged by names and types, as a catalog load does before sampling. */
    private static CatalogSnapshot classified(CatalogSnapshot s) {
        Map<List<String>, ColumnClassification> tags = new LinkedHashMap<>();
        for (RelationInfo r : s.userRelations()) {
            for (ColumnInfo c : r.columns()) {
                tags.put(List.of(r.schema(), r.name(), c.name()),
                        ColumnClassifier.classify(new ColumnFacts(c.name(), c.type(), c.comment())));
            }
        }
        return s.withTags(CatalogTags.of(tags), s.version() + 1);
    }

    private String decide(String sql) {
        Analysis a = analyses.analyze(Dialect.POSTGRESQL, shop, NameResolution.postgres("shop"), sql);
        return engine.decide(new StatementFacts(Dialect.POSTGRESQL, sql, false, a, ann, "shop")).rule();
    }

    private static List<PolicyProblem.Mistake> mistakes(String yaml) {
        return assertThrows(PolicyProblem.class, () -> PolicyParser.parse(yaml, "policy.yaml", "prod")).mistakes();
    }

    @Test
    void conditionsSeeTheClassifiersTagsOfEveryColumnTheStatementTouches() throws PolicyProblem {
        engine.install(PolicyParser.parse(ROLES + PII_RULE, "policy.yaml", "prod"));
        assertThat(decide("SELECT upper(email) FROM customers")).isEqualTo("no-pii");
        assertThat(decide("SELECT id FROM customers WHERE ssn = '123-45-6789'")).isEqualTo("no-pii");
        assertThat(decide("SELECT email FROM customer_contacts")).isEqualTo("no-pii");
        assertThat(decide("SELECT id, status, amount FROM orders")).isEqualTo(PolicySet.KNOWN_DEFAULT);
        assertThat(decide("SELECT id, city FROM customers")).isEqualTo(PolicySet.KNOWN_DEFAULT);
    }

    @Test
    void theTagsSectionAddsRemovesAndSetsTagsByColumnPattern() throws PolicyProblem {
        engine.install(PolicyParser.parse(ROLES + """
                tags:
                  - column: public.orders.status
                    add: [free_text]
                  - column: "*.*.e*l"
                    remove: [email]
                  - column: public.customers.ssn
                    set: [date_of_birth]
                """ + PII_RULE, "policy.yaml", "prod"));
        assertThat(decide("SELECT status FROM orders")).isEqualTo("no-pii");
        assertThat(decide("SELECT email FROM customers")).isEqualTo(PolicySet.KNOWN_DEFAULT);
        assertThat(decide("SELECT ssn FROM customers")).isEqualTo(PolicySet.KNOWN_DEFAULT);
    }

    @Test
    void policyTagsCarryTheirPlaceInTheFileAsEvidence() throws PolicyProblem {
        PolicySet set = PolicyParser.parse(ROLES + """
                tags:
                  - column: public.customers.city
                    add: [address]
                """ + PII_RULE, "policy.yaml", "prod");
        ColumnClassification city = set.tags().apply("public", "customers", "city", ColumnClassification.NONE);
        assertThat(city.tags()).containsExactly(new TagEvidence(Tag.ADDRESS, 1.0, List.of("policy: policy.yaml:5")));
        assertThat(set.tags().apply("public", "customers", "full_name", ColumnClassification.NONE).tags()).isEmpty();
        assertThat(set.tags().apply("public", "cities", "city", ColumnClassification.NONE).tags()).isEmpty();
    }

    @Test
    void aStarStandsForAnyRunOfCharactersWithinOnePart() {
        assertThat(TagRules.pattern("*.*.legacy_*").matcher("public.customers.legacy_email").matches()).isTrue();
        assertThat(TagRules.pattern("*.*.legacy_*").matcher("public.customers.email").matches()).isFalse();
        assertThat(TagRules.pattern("public.*.e.mail").matcher("public.x.eXmail").matches()).isFalse();
        assertThat(TagRules.pattern("*.customers").matcher("a.b.customers").matches()).isFalse();
    }

    @Test
    void mistakesInTheTagsSectionAreNamedAtTheirLineAndColumn() {
        assertThat(mistakes(ROLES + """
                tags:
                  - column: public.customers
                    add: [email]
                  - column: public.customers.notes
                    add: [emial]
                  - column: public.customers.notes
                  - column: public.customers.notes
                    set: [email]
                    remove: [phone]
                  - add: [email]
                    colour: red
                """ + PII_RULE)).containsExactly(
                new PolicyProblem.Mistake(5, 13, "tags entry 1: column \"public.customers\" is not schema.relation.column; "
                        + "write each of the three parts, '*' for any (\"*.*.legacy_email\")"),
                new PolicyProblem.Mistake(8, 11, "tags entry 2: add: \"emial\" is not a tag; Veil has email, phone, "
                        + "person_name, address, date_of_birth, national_id, credit_card, iban, bank_account, ip_address, "
                        + "secret, free_text"),
                new PolicyProblem.Mistake(9, 5, "tags entry 3: says nothing to do; give add, remove or set a list of tags"),
                new PolicyProblem.Mistake(11, 5, "tags entry 4: set replaces the column's tags; use it alone, or add and "
                        + "remove without it"),
                new PolicyProblem.Mistake(13, 5, "tags entry 5: column is missing: the column or pattern the entry is about, "
                        + "as schema.relation.column (a MySQL schema is its database), '*' for any run of characters"),
                new PolicyProblem.Mistake(14, 5, "tags entry 5: unknown key \"colour\"; expected add, column, remove, set"));
        assertThat(mistakes(ROLES + "tags: {column: x}\n" + PII_RULE)).extracting(PolicyProblem.Mistake::what)
                .containsExactly("tags: expected a list of entries (- column: schema.relation.column, with add, remove "
                        + "or set), found a mapping");
    }
}
