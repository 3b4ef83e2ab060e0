package dev.veil.frontend.pg;

import dev.veil.masking.leak.MaskingLeakTestProfile;
import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.postgresql.copy.CopyManager;
import org.postgresql.core.BaseConnection;

import java.io.ByteArrayOutputStream;
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
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * COPY … TO STDOUT through Veil under the demo policy: the analyst (role analyst) gets the copy's rows masked as a
 * query's rows would be, in text and CSV with their options, through pgjdbc's CopyManager and psql's \copy; binary
 * COPY is refused with 42501 and the session goes on; admin's copy is the server's, byte for byte.
 */
@Tag("servers")
@QuarkusTest
@TestProfile(MaskingLeakTestProfile.class)
@QuarkusTestResource(VeilTestResource.class)
class PgMaskedCopyThroughVeilTest {
    private static Connection analyst() throws SQLException {
        return DriverManager.getConnection(VeilTestResource.veilUrl("shop", ""), VeilTestResource.READER,
                VeilTestResource.READER_PASSWORD);
    }

    private static Connection admin() throws SQLException {
        return DriverManager.getConnection(VeilTestResource.veilUrl("shop", ""), VeilTestResource.ADMIN_USER,
                VeilTestResource.ADMIN_PASSWORD);
    }

    private static String copy(Connection c, String sql) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new CopyManager(c.unwrap(BaseConnection.class)).copyOut(sql, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aTextCopyOfAQueryIsMaskedAsTheQuerysRowsAre() throws Exception {
        String sql = "SELECT id, email, phone, ssn, card_number, birth_date, city FROM customers WHERE id IN (1, 2) ORDER BY id";
        try (Connection c = analyst(); Statement st = c.createStatement()) {
            StringBuilder rows = new StringBuilder();
            try (ResultSet rs = st.executeQuery(sql)) {
                while (rs.next()) {
                    for (int i = 1; i <= 7; i++) {
                        rows.append(rs.getString(i)).append(i < 7 ? "\t" : "\n");
                    }
                }
            }
            String copied = copy(c, "COPY (" + sql + ") TO STDOUT");
            assertThat(copied).startsWith("1\txxxxxxxxxxxx@gmail.com\txxxxxxxxxxx0124\txxxxxxx1066\txxxxxxxxxxxx0128\t1993-01-01\t")
                    .isEqualTo(rows.toString());
        }
    }

    @Test
    void aCsvCopyOfATableKeepsItsHeaderQuotesAndDelimiter() throws Exception {
        try (Connection c = analyst()) {
            String copied = copy(c, "COPY customers (id, email, ssn) TO STDOUT WITH (FORMAT csv, HEADER, DELIMITER ';',"
                    + " FORCE_QUOTE *)");
            assertThat(copied).startsWith("id;email;ssn\n\"1\";\"xxxxxxxxxxxx@gmail.com\";\"xxxxxxx1066\"\n");
            assertThat(copied.lines().count()).isGreaterThan(1000);
            assertThat(copied).doesNotContain("jose.johnson@gmail.com", "890-75-1066");
        }
    }

    @Test
    void theOlderOptionSyntaxAndAWholeTableCopyAreMaskedToo() throws Exception {
        try (Connection c = analyst(); Connection a = admin()) {
            String sql = "COPY customers TO STDOUT WITH CSV NULL AS 'none'";
            String masked = copy(c, sql);
            String clear = copy(a, sql);
            assertThat(clear).contains("jose.johnson@gmail.com", "890-75-1066");
            assertThat(masked).doesNotContain("jose.johnson@gmail.com", "890-75-1066", "4814683425210128")
                    .contains("xxxxxxxxxxxx@gmail.com");
            assertThat(masked.lines().count()).isEqualTo(clear.lines().count());
        }
    }

    @Test
    void adminsCopyIsTheServersOwn() throws Exception {
        try (Connection a = admin()) {
            assertThat(copy(a, "COPY (SELECT email, ssn FROM customers WHERE id = 1) TO STDOUT"))
                    .isEqualTo("jose.johnson@gmail.com\t890-75-1066\n");
        }
    }

    @Test
    void aBinaryCopyIsRefusedAndTheSessionGoesOn() throws Exception {
        try (Connection c = analyst()) {
            SQLException e = catchThrowableOfType(() -> copy(c, "COPY (SELECT ssn FROM customers) TO STDOUT WITH (FORMAT binary)"),
                    SQLException.class);
            assertThat(e.getSQLState()).isEqualTo("42501");
            assertThat(e.getMessage()).contains("binary COPY");
            assertThat(copy(c, "COPY (SELECT ssn FROM customers WHERE id = 1) TO STDOUT")).isEqualTo("xxxxxxx1066\n");
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT 1")) {
                assertThat(rs.next()).isTrue();
            }
        }
    }

    @Test
    void psqlsCopyGetsMaskedRows() throws Exception {
        Path psql = executable("psql");
        Assumptions.assumeTrue(psql != null, "psql is not installed here");
        ProcessBuilder pb = new ProcessBuilder(List.of(psql.toString(), "-X", "-h", "127.0.0.1", "-p",
                String.valueOf(VeilTestResource.veilPort()), "-U", VeilTestResource.READER, "-d", "shop", "-c",
                "\\copy (select email, phone from customers where id = 1) to stdout with csv"));
        pb.environment().put("PGPASSWORD", VeilTestResource.READER_PASSWORD);
        pb.environment().put("PGSSLMODE", "disable");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out).isEqualTo("xxxxxxxxxxxx@gmail.com,xxxxxxxxxxx0124\n");
    }

    private static Path executable(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
