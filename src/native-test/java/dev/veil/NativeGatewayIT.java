package dev.veil;

import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/** The native executable (make native-test) serves pgjdbc through the same real upstream as the JVM suite. */
@QuarkusIntegrationTest
@QuarkusTestResource(VeilTestResource.class)
class NativeGatewayIT {
    @Test
    void nativeExecutableRelaysQueriesWithScramAndTls() throws Exception {
        String url = "jdbc:postgresql://127.0.0.1:" + VeilTestResource.veilPort()
                + "/shop?sslmode=require&sslfactory=org.postgresql.ssl.NonValidatingFactory";
        try (Connection c = DriverManager.getConnection(url, VeilTestResource.USER, VeilTestResource.PASSWORD);
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*), current_user FROM customers")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(1000);
        }
    }
}
