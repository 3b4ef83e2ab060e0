package dev.veil.frontend.mysql;

import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a client learns of its own session and of its results is the same through Veil as straight from the
 * server: MariaDB's extended column metadata (JSON columns typed as JSON by MariaDB Connector/J).
 */
@Tag("servers")
@QuarkusTest
@QuarkusTestResource(VeilTestResource.class)
class MySqlFidelityThroughVeilTest {
    private static final String JSON_QUERY = "SELECT id, doc, tag FROM veil_json ORDER BY id";

    @BeforeAll
    static void createTables() throws SQLException {
        try (Connection c = VeilTestResource.mariadb().connectAsRoot("shop"); Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS veil_json");
            st.execute("CREATE TABLE veil_json (id INT PRIMARY KEY, doc JSON, tag VARCHAR(20))");
            st.execute("INSERT INTO veil_json VALUES (1, '{\"a\": 1}', 'one'), (2, '[true, null]', 'two'), (3, NULL, NULL)");
        }
    }

    // ---- MariaDB extended metadata (issue 12, defect 5) ------------------------------------------------

    @Test
    void aJsonColumnIsTypedAsJsonThroughVeilAsWhenConnectedDirectly() throws Exception {
        List<String> direct = described(MySqlDrivers.MARIADB_CONNECTOR_J.direct(""), false);
        assertThat(direct).as("the server's own description").element(1).asString().startsWith("doc JSON");
        assertThat(described(MySqlDrivers.MARIADB_CONNECTOR_J.veil(""), false)).isEqualTo(direct);
    }

    @Test
    void aJsonColumnOfAServerSidePreparedStatementIsTypedAsJsonToo() throws Exception {
        String ps = "useServerPrepStmts=true&cachePrepStmts=false";
        List<String> direct = described(MySqlDrivers.MARIADB_CONNECTOR_J.direct(ps), true);
        assertThat(direct).element(1).asString().startsWith("doc JSON");
        assertThat(described(MySqlDrivers.MARIADB_CONNECTOR_J.veil(ps), true)).isEqualTo(direct);
    }

    @Test
    void mySqlConnectorJSeesTheSameColumnsAsWhenConnectedDirectly() throws Exception {
        // MySQL Connector/J keeps CLIENT_MYSQL: it negotiates no MariaDB extension, with or without Veil.
        assertThat(described(MySqlDrivers.MYSQL_CONNECTOR_J.veil(""), false))
                .isEqualTo(described(MySqlDrivers.MYSQL_CONNECTOR_J.direct(""), false));
    }

    /** Each column as the driver describes it (label, type name, JDBC type, class), then every value by getObject. */
    private static List<String> described(Connection c, boolean prepared) throws SQLException {
        try (c; Statement st = c.createStatement(); PreparedStatement ps = c.prepareStatement(JSON_QUERY);
             ResultSet rs = prepared ? ps.executeQuery() : st.executeQuery(JSON_QUERY)) {
            ResultSetMetaData md = rs.getMetaData();
            List<String> out = new ArrayList<>();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                out.add(md.getColumnLabel(i) + " " + md.getColumnTypeName(i) + " " + md.getColumnType(i) + " "
                        + md.getColumnClassName(i));
            }
            while (rs.next()) {
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    Object v = rs.getObject(i);
                    out.add(v == null ? "null" : v.getClass().getSimpleName() + ":" + v);
                }
            }
            return out;
        }
    }
}
