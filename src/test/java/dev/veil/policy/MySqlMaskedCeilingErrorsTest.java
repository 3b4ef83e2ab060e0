package dev.veil.policy;

import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * A MariaDB statement run under the affected-rows ceiling by a role whose results are masked: Veil writes the
 * client's ERR itself there (past the relay), and it loses the values the server quoted, as the relay's ERRs do.
 */
@Tag("servers")
@QuarkusTest
@TestProfile(MaskedCeilingTestProfile.class)
@QuarkusTestResource(VeilTestResource.class)
class MySqlMaskedCeilingErrorsTest {
    private static final String ECHOED = "secret-955-12-3456";

    @Test
    void theServersErrorOfACountedStatementIsScrubbedForAMaskedRole() throws Exception {
        try (Connection c = DriverManager.getConnection(VeilTestResource.veilMariadbUrl("shop", ""), VeilTestResource.WRITER,
                VeilTestResource.WRITER_PASSWORD); Statement st = c.createStatement()) {
            st.execute("SET SESSION sql_mode = 'STRICT_ALL_TABLES'");
            SQLException e = catchThrowableOfType(() -> st.executeUpdate("UPDATE orders SET amount = '" + ECHOED
                    + "' WHERE id = 201"), SQLException.class);
            assertThat((Throwable) e).isNotNull();
            assertThat(e.getErrorCode()).as(e.getMessage()).isNotEqualTo(1142);
            assertThat(e.getMessage()).doesNotContain(ECHOED).contains("'***'");
            assertThat(st.executeUpdate("UPDATE orders SET status = status WHERE id = 201")).isLessThanOrEqualTo(1);
        }
    }
}
