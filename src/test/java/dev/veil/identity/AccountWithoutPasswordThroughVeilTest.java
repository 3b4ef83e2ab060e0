package dev.veil.identity;

import dev.veil.testing.MariaDbServer;
import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A local account configured with {@code password: ""} on loopback listeners (the suite's Veil binds 127.0.0.1):
 * a development setup fronting a trust-auth server. Upstream "tiny" logs in as the superuser without a password,
 * which the embedded PostgreSQL trusts from loopback.
 */
@Tag("servers")
@QuarkusTest
@QuarkusTestResource(VeilTestResource.class)
class AccountWithoutPasswordThroughVeilTest {
    private static final String USER = VeilTestResource.NO_PASSWORD_USER;

    @Test
    void pgjdbcWithoutAPasswordLogsInAndRunsStatements() throws Exception {
        Properties props = new Properties();
        props.setProperty("user", USER);
        try (Connection c = DriverManager.getConnection(VeilTestResource.veilUrl("tiny/shop", ""), props);
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM customers")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getLong(1)).isPositive();
        }
    }

    @Test
    void psqlIsNeverAskedForAPassword() throws Exception {
        Path psql = onPath("psql");
        Assumptions.assumeTrue(psql != null, "psql is not installed here (.ci/run installs postgresql-client)");
        // -w: never prompt. libpq refuses to send an empty password, so this works only if Veil asks for none.
        ProcessBuilder pb = new ProcessBuilder(List.of(psql.toString(), "-X", "-w", "-A", "-t", "-h", "127.0.0.1",
                "-p", String.valueOf(VeilTestResource.veilPort()), "-U", USER, "-d", "tiny/shop",
                "-c", "SELECT 'through veil as ' || current_user"));
        pb.environment().remove("PGPASSWORD");
        pb.environment().put("PGSSLMODE", "disable");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out).contains("through veil as " + VeilTestResource.server().superuser());
        assertThat(p.exitValue()).as(out).isZero();
    }

    @Test
    void mariadbConnectorJWithAnEmptyPasswordLogsInAndASecretIsRefused() throws Exception {
        MariaDbServer.Account empty = new MariaDbServer.Account(USER, "", "mysql_native_password");
        try (Connection c = MariaDbServer.open(VeilTestResource.veilMariadbUrl("my/" + MariaDbServer.DATABASE, ""), empty);
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM customers")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getLong(1)).isPositive();
        }
        MariaDbServer.Account guessing = new MariaDbServer.Account(USER, "guess", "mysql_native_password");
        assertThatThrownBy(() -> MariaDbServer.open(VeilTestResource.veilMariadbUrl("my/" + MariaDbServer.DATABASE, ""), guessing))
                .isInstanceOf(SQLException.class).hasMessageContaining("Access denied");
    }

    private static Path onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
