package dev.veil.classification;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.cli.CatalogCommand;
import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shop data of the suite's real PostgreSQL and MariaDB, classified with sampled values and shown by
 * {@code GET /api/v1/catalog} and {@code veil catalog}: e-mail, phone, SSN and card columns are tagged from their
 * names and values; order statuses are not.
 */
@Tag("servers")
@QuarkusTest
@QuarkusTestResource(VeilTestResource.class)
class CatalogClassificationTest {
    @TestHTTPResource("/api/v1/catalog")
    URI catalog;

    @Inject
    CatalogCommand command;

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    private HttpResponse<String> get(String query, String user, String password) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(catalog + query)).GET();
        if (user != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode catalogOf(String query) throws Exception {
        HttpResponse<String> r = get(query, VeilTestResource.ADMIN_USER, VeilTestResource.ADMIN_PASSWORD);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode catalogs = json.readTree(r.body()).path("catalogs");
        assertThat(catalogs).hasSize(1);
        return catalogs.get(0);
    }

    private static JsonNode column(JsonNode catalog, String schema, String relation, String column) {
        for (JsonNode r : catalog.path("relations")) {
            if (r.path("schema").asText().equals(schema) && r.path("name").asText().equals(relation)) {
                for (JsonNode c : r.path("columns")) {
                    if (c.path("name").asText().equals(column)) {
                        return c;
                    }
                }
            }
        }
        throw new AssertionError("no column " + schema + "." + relation + "." + column + " in " + catalog);
    }

    private static List<String> tags(JsonNode column) {
        List<String> out = new ArrayList<>();
        column.path("tags").forEach(t -> out.add(t.path("tag").asText()));
        return out;
    }

    /** The tag's evidence names both the column name and the sampled values. */
    private static void taggedByNameAndValues(JsonNode catalog, String schema, String column, String tag) {
        JsonNode c = column(catalog, schema, "customers", column);
        assertThat(tags(c)).as(c.toString()).contains(tag);
        for (JsonNode t : c.path("tags")) {
            if (t.path("tag").asText().equals(tag)) {
                assertThat(t.path("evidence").toString()).as(c.toString()).contains("name: ").contains("values: ");
                assertThat(t.path("confidence").asDouble()).isGreaterThan(0.8);
            }
        }
    }

    private static void classifiedShop(JsonNode shop, String schema) {
        taggedByNameAndValues(shop, schema, "email", "email");
        taggedByNameAndValues(shop, schema, "phone", "phone");
        taggedByNameAndValues(shop, schema, "ssn", "national_id");
        taggedByNameAndValues(shop, schema, "card_number", "credit_card");
        assertThat(tags(column(shop, schema, "customers", "full_name"))).containsExactly("person_name");
        assertThat(tags(column(shop, schema, "customers", "birth_date"))).containsExactly("date_of_birth");
        assertThat(tags(column(shop, schema, "orders", "status"))).isEmpty();
        assertThat(tags(column(shop, schema, "orders", "amount"))).isEmpty();
        assertThat(tags(column(shop, schema, "customers", "id"))).isEmpty();
    }

    @Test
    void postgresShopColumnsAreTaggedFromNamesAndSampledValues() throws Exception {
        JsonNode shop = catalogOf("?database=main/shop");
        assertThat(shop.path("upstream").asText()).isEqualTo("main");
        assertThat(shop.path("dialect").asText()).isEqualTo("postgresql");
        classifiedShop(shop, "public");
        // The view's columns carry the names' tags; lineage reaches the base columns for policy.
        assertThat(tags(column(shop, "public", "customer_contacts", "email"))).containsExactly("email");
    }

    @Test
    void mariaDbShopColumnsAreTaggedFromNamesAndSampledValues() throws Exception {
        JsonNode shop = catalogOf("?dialect=mysql&database=my/shop");
        assertThat(shop.path("dialect").asText()).isEqualTo("mysql");
        classifiedShop(shop, "shop");
    }

    @Test
    void theCatalogListsWhatWasReadAndIsForAdminsOnly() throws Exception {
        catalogOf("?database=main/shop");
        HttpResponse<String> all = get("", VeilTestResource.ADMIN_USER, VeilTestResource.ADMIN_PASSWORD);
        assertThat(all.statusCode()).isEqualTo(200);
        assertThat(all.body()).contains("\"upstream\":\"main\",\"database\":\"shop\"");
        assertThat(get("", VeilTestResource.USER, VeilTestResource.PASSWORD).statusCode()).isEqualTo(403);
        assertThat(get("", null, null).statusCode()).isEqualTo(401);
        HttpResponse<String> unknown = get("?database=nowhere/shop", VeilTestResource.ADMIN_USER, VeilTestResource.ADMIN_PASSWORD);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("no postgresql upstream for nowhere/shop");
    }

    @Test
    void theCliPrintsEachTaggedColumnWithConfidenceAndEvidence() {
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(command);
        cli.setOut(new PrintWriter(out));
        assertThat(cli.execute("--upstream", "main", "--database", "shop")).isZero();
        String printed = out.toString();
        assertThat(printed).startsWith("main/shop (postgresql)");
        assertThat(printed).containsPattern("public\\.customers\\.email +email +0\\.\\d\\d  name: email; values: \\d+ of \\d+ "
                + "sampled values are valid e-mail addresses");
        assertThat(printed).containsPattern("public\\.customers\\.card_number +credit_card");
        assertThat(printed).doesNotContain("public.orders.status");
        StringWriter everything = new StringWriter();
        cli.setOut(new PrintWriter(everything));
        assertThat(cli.execute("--upstream", "main", "--database", "shop", "--all")).isZero();
        assertThat(everything.toString()).containsPattern("public\\.orders\\.status +-");
    }

    @Test
    void aTableCreatedThroughVeilIsClassifiedFromItsCommentAndValuesAfterTheDdl() throws Exception {
        try (Connection c = DriverManager.getConnection(VeilTestResource.veilUrl("shop", ""), VeilTestResource.USER,
                VeilTestResource.PASSWORD); Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS classified_contacts");
            c.setAutoCommit(false);
            st.execute("CREATE TABLE classified_contacts (id int, c1 text, c2 text, c3 text)");
            st.execute("COMMENT ON COLUMN classified_contacts.c3 IS 'Bank account of the payee'");
            st.execute("INSERT INTO classified_contacts SELECT i, 'person' || i || '@example.org', "
                    + "'GB82 WEST 1234 5698 7654 32', 'n/a' FROM generate_series(1, 20) i");
            c.commit();
            c.setAutoCommit(true);
            // The session's next statement is analysed once the catalog was read again after the DDL.
            st.execute("SELECT 1");
        }
        JsonNode shop = catalogOf("?database=main/shop");
        JsonNode c1 = column(shop, "public", "classified_contacts", "c1");
        assertThat(tags(c1)).as(c1.toString()).containsExactly("email");
        assertThat(c1.path("tags").get(0).path("evidence").toString()).contains("values: 20 of 20");
        assertThat(tags(column(shop, "public", "classified_contacts", "c2"))).containsExactly("iban");
        JsonNode c3 = column(shop, "public", "classified_contacts", "c3");
        assertThat(tags(c3)).containsExactly("bank_account");
        assertThat(c3.path("tags").get(0).path("evidence").toString()).contains("comment: \\\"Bank account of the payee");
    }

    @Test
    void aMariaDbTableCreatedThroughVeilIsClassifiedFromItsCommentsAndValues() throws Exception {
        try (Connection c = DriverManager.getConnection(VeilTestResource.veilMysqlUrl("shop", ""), VeilTestResource.USER,
                VeilTestResource.PASSWORD); Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS classified_contacts");
            // One statement creates and fills it: MySQL DDL commits at once, and the catalog is read after it.
            st.execute("CREATE TABLE classified_contacts (c1 VARCHAR(254) COMMENT 'where to reach them', "
                    + "c2 VARCHAR(40) COMMENT 'Payee bank account') SELECT email AS c1, 'n/a' AS c2 FROM customers LIMIT 20");
            st.execute("SELECT 1");
        }
        JsonNode shop = catalogOf("?dialect=mysql&database=my/shop");
        JsonNode c1 = column(shop, "shop", "classified_contacts", "c1");
        assertThat(tags(c1)).as(c1.toString()).containsExactly("email");
        assertThat(c1.path("tags").get(0).path("evidence").toString()).contains("values: 20 of 20");
        JsonNode c2 = column(shop, "shop", "classified_contacts", "c2");
        assertThat(tags(c2)).as(c2.toString()).containsExactly("bank_account");
        assertThat(c2.path("tags").get(0).path("evidence").toString()).contains("comment: \\\"Payee bank account");
    }
}
