package dev.veil.frontend.mysql;

import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * caching_sha2_password's full authentication (the password itself, as a server with an empty cache asks
 * for it): accepted inside TLS, refused with a clear message on plain TCP where a client would need Veil's
 * RSA key.
 */
@Tag("servers")
@QuarkusTest
@TestProfile(CachingSha2FullAuthenticationTest.FullAuthentication.class)
@QuarkusTestResource(VeilTestResource.class)
class CachingSha2FullAuthenticationTest {

    public static class FullAuthentication implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("veil.mysql.caching-sha2-full-authentication", "true");
        }
    }

    private static Connection connect(String database, String params) throws SQLException {
        return DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + VeilTestResource.veilMySqlPort() + "/" + database + "?" + params,
                MySqlDrivers.props(VeilTestResource.USER, VeilTestResource.PASSWORD));
    }

    @Test
    void fullAuthenticationInsideTlsSucceeds() throws Exception {
        try (Connection c = connect("shop", "sslMode=REQUIRED"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT 'full'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("full");
        }
    }

    @Test
    void aWrongPasswordInsideTlsIsDenied() {
        assertThatThrownBy(() -> DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + VeilTestResource.veilMySqlPort()
                + "/shop?sslMode=REQUIRED", MySqlDrivers.props(VeilTestResource.USER, "wrong")).close())
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(1045));
    }

    @Test
    void theRsaKeyPathIsRefusedWithAClearMessage() {
        assertThatThrownBy(() -> connect("shop", "sslMode=DISABLED&allowPublicKeyRetrieval=true").close())
                .isInstanceOfSatisfying(SQLException.class, e -> {
                    assertThat(e.getErrorCode()).isEqualTo(1045);
                    assertThat(e.getMessage()).contains("needs TLS").contains("RSA");
                });
    }

    @Test
    void veilSendsItsUpstreamPasswordOnlyInsideTls() throws Exception {
        // Upstream "self" (Veil's own listener, now asking for full authentication) is reached over TLS.
        try (Connection c = connect("self%2Fshop", "sslMode=REQUIRED"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM orders")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(10_000);
        }
    }
}
