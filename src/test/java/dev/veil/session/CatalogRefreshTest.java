package dev.veil.session;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.testing.AuditTrail;
import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.UUID;

import static dev.veil.testing.AuditTrail.type;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A table created through Veil is in the catalog the very next statement of that session is analysed against:
 * at once after DDL outside a transaction, after the COMMIT of a transaction that ran DDL.
 */
@Tag("servers")
@QuarkusTest
@QuarkusTestResource(VeilTestResource.class)
class CatalogRefreshTest {
    private final AuditTrail trail = AuditTrail.ofTestVeil();

    @Test
    void ddlThroughVeilRefreshesTheCatalogSnapshot() throws Exception {
        String table = "refresh_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        try (Connection c = DriverManager.getConnection(VeilTestResource.veilUrl("shop", "preferQueryMode=simple"),
                VeilTestResource.USER, VeilTestResource.PASSWORD); Statement st = c.createStatement()) {
            // Make sure the catalog is loaded (and cached) before the table exists.
            st.executeQuery("SELECT 1 FROM customers LIMIT 1").close();
            st.execute("CREATE TABLE " + table + " (id int, secret text)");
            st.executeQuery("SELECT secret FROM " + table).close();
            st.execute("DROP TABLE " + table);
        }
        JsonNode select = trail.await(j -> type("statement.decided").test(j)
                && j.path("statement").asText().equals("SELECT secret FROM " + table), 1).get(0);
        assertThat(select.path("analysis").path("lineage").asText()).isEqualTo("known");
        assertThat(select.path("analysis").path("columns").toString()).contains("\"column\":\"secret\"");
    }

    @Test
    void ddlCommittedInATransactionIsKnownToTheSessionsNextStatement() throws Exception {
        String table = "refresh_tx_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        try (Connection c = DriverManager.getConnection(VeilTestResource.veilUrl("shop", "preferQueryMode=simple"),
                VeilTestResource.USER, VeilTestResource.PASSWORD); Statement st = c.createStatement()) {
            st.executeQuery("SELECT 1 FROM customers LIMIT 1").close();
            c.setAutoCommit(false);
            st.execute("CREATE TABLE " + table + " (id int, secret text)");
            // Read inside the transaction, the catalog would not have the table yet (another connection's view).
            c.commit();
            st.executeQuery("SELECT secret FROM " + table).close();
            c.setAutoCommit(true);
            st.execute("DROP TABLE " + table);
        }
        assertKnown("SELECT secret FROM " + table, "secret");
    }

    @Test
    void ddlThroughVeilOnMariaDbRefreshesTheCatalogSnapshot() throws Exception {
        String table = "refresh_my_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        try (Connection c = DriverManager.getConnection(VeilTestResource.veilMariadbUrl("shop", ""),
                VeilTestResource.USER, VeilTestResource.PASSWORD); Statement st = c.createStatement()) {
            st.executeQuery("SELECT 1 FROM customers LIMIT 1").close();
            // DDL commits implicitly: with autocommit off too, the server reports no transaction open after it.
            c.setAutoCommit(false);
            st.execute("CREATE TABLE " + table + " (id int, secret text)");
            st.executeQuery("SELECT secret FROM " + table).close();
            c.commit();
            st.execute("DROP TABLE " + table);
        }
        assertKnown("SELECT secret FROM " + table, "secret");
    }

    private void assertKnown(String statement, String column) throws Exception {
        JsonNode select = trail.await(j -> type("statement.decided").test(j)
                && j.path("statement").asText().equals(statement), 1).get(0);
        assertThat(select.path("analysis").path("lineage").asText()).as(select.toString()).isEqualTo("known");
        assertThat(select.path("analysis").path("columns").toString()).contains("\"column\":\"" + column + "\"");
    }
}
