package dev.veil.policy;

import dev.veil.analysis.Dialect;
import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The evasion suite through Veil to a real MariaDB: MariaDB Connector/J in the text protocol (multi-statement
 * texts allowed) and with COM_STMT_PREPARE, MySQL Connector/J in the text protocol. Every case is refused with
 * errno 1142 naming a guardrail (or a built-in rule), the shop's tables unchanged; in the text protocol inside
 * an open transaction that survives them all. The ordinary statements run.
 */
@Tag("servers")
@QuarkusTest
@TestProfile(GuardrailTestProfile.class)
@QuarkusTestResource(VeilTestResource.class)
class MySqlGuardrailEvasionTest {
    private static final String STATE = "SELECT CONCAT((SELECT count(*) FROM orders), ':', (SELECT coalesce(sum(amount), 0) "
            + "FROM orders), ':', (SELECT coalesce(md5(group_concat(id, status ORDER BY id)), '') FROM orders), '/', "
            + "(SELECT count(*) FROM customers), '/', (SELECT count(*) FROM information_schema.columns WHERE table_schema = 'shop'))";

    private static String state(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery(STATE)) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void theMariadbClientGetsTheSameRefusals() throws Exception {
        Path client = PgGuardrailEvasionTest.executable("mariadb");
        Assumptions.assumeTrue(client != null, "the mariadb client is not installed here (.ci/run installs mariadb-client)");
        // a sample: every multi-statement text (sent whole: the script's delimiter is //) and every third other case
        List<EvasionCases.Case> refused = EvasionCases.of(Dialect.MYSQL).stream().filter(EvasionCases.Case::refused).toList();
        StringBuilder script = new StringBuilder("delimiter //\n");
        int sample = 0;
        for (int i = 0; i < refused.size(); i++) {
            if (refused.get(i).sql().contains(";") || i % 3 == 0) {
                script.append(refused.get(i).sql()).append("\n//\n");
                sample++;
            }
        }
        Path file = Files.createTempFile("evasion", ".sql");
        Files.writeString(file, script);
        String before;
        try (Connection c = DriverManager.getConnection(VeilTestResource.veilMariadbUrl("shop", ""), VeilTestResource.USER,
                VeilTestResource.PASSWORD); Statement st = c.createStatement()) {
            before = state(st);
        }
        ProcessBuilder pb = new ProcessBuilder(List.of(client.toString(), "--no-defaults", "-h", "127.0.0.1", "-P",
                String.valueOf(VeilTestResource.veilMySqlPort()), "-u", VeilTestResource.USER, "--force", "--skip-ssl", "shop"));
        pb.environment().put("MYSQL_PWD", VeilTestResource.PASSWORD);
        pb.redirectInput(file.toFile());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        Files.delete(file);
        List<String> errors = out.lines().filter(l -> l.startsWith("ERROR")).toList();
        assertThat(errors).as(out).hasSize(sample);
        assertThat(errors).allMatch(l -> l.contains("guardrail ") || l.contains("(rule builtin."));
        try (Connection c = DriverManager.getConnection(VeilTestResource.veilMariadbUrl("shop", ""), VeilTestResource.USER,
                VeilTestResource.PASSWORD); Statement st = c.createStatement()) {
            assertThat(state(st)).isEqualTo(before);
        }
    }

    private static boolean refusedByVeil(SQLException e) {
        return e.getErrorCode() == 1142 && "42000".equals(e.getSQLState()) && e.getMessage().contains("guardrail ")
                || e.getMessage().contains("(rule builtin.");
    }

    @Test
    void everyEvasionIsRefusedInEachProtocolAndOrdinaryStatementsRun() throws Exception {
        List<EvasionCases.Case> cases = EvasionCases.of(Dialect.MYSQL);
        assertThat(cases.stream().filter(EvasionCases.Case::refused).count()).isGreaterThanOrEqualTo(150);
        List<String> wrong = new ArrayList<>();
        String[][] clients = {
                {"MariaDB Connector/J text", VeilTestResource.veilMariadbUrl("shop", "allowMultiQueries=true")},
                {"MariaDB Connector/J COM_STMT_PREPARE", VeilTestResource.veilMariadbUrl("shop", "useServerPrepStmts=true")},
                {"MySQL Connector/J text", VeilTestResource.veilMysqlUrl("shop", "allowMultiQueries=true")}};
        for (String[] client : clients) {
            String name = client[0];
            boolean prepared = name.contains("PREPARE");
            try (Connection c = DriverManager.getConnection(client[1], VeilTestResource.USER, VeilTestResource.PASSWORD);
                 Statement st = c.createStatement()) {
                long marked;
                try (ResultSet rs = st.executeQuery("SELECT min(id) FROM orders")) {
                    rs.next();
                    marked = rs.getLong(1);
                }
                if (!prepared) {
                    c.setAutoCommit(false);
                    st.executeUpdate("UPDATE orders SET status = 'evasion-marker' WHERE id = " + marked);
                }
                String before = state(st);
                for (EvasionCases.Case k : cases) {
                    if (!k.refused()) {
                        continue;
                    }
                    try {
                        if (prepared) {
                            try (PreparedStatement ps = c.prepareStatement(k.sql())) {
                                ps.execute();
                            }
                        } else {
                            st.execute(k.sql());
                        }
                        wrong.add(name + " ran " + k);
                    } catch (SQLException e) {
                        if (!refusedByVeil(e)) {
                            wrong.add(name + " " + k + " failed otherwise: " + e.getErrorCode() + " " + e.getMessage());
                        }
                    }
                    String after = state(st);
                    if (!after.equals(before)) {
                        wrong.add(name + " " + k + " changed the tables: " + before + " -> " + after);
                        before = after;
                    }
                }
                if (!prepared) {
                    try (ResultSet rs = st.executeQuery("SELECT status FROM orders WHERE id = " + marked)) {
                        rs.next();
                        assertThat(rs.getString(1)).as(name).isEqualTo("evasion-marker");
                    }
                    c.rollback();
                    c.setAutoCommit(true);
                }
                for (EvasionCases.Case k : cases) {
                    // a multi-statement text cannot be prepared by the server, with or without Veil
                    if (k.refused() || prepared && k.sql().contains(";")) {
                        continue;
                    }
                    c.setAutoCommit(false);
                    try {
                        if (prepared) {
                            try (PreparedStatement ps = c.prepareStatement(k.sql())) {
                                ps.execute();
                            }
                        } else {
                            st.execute(k.sql());
                        }
                    } catch (SQLException e) {
                        wrong.add(name + " refused " + k + ": " + e.getMessage());
                    } finally {
                        c.rollback();
                        c.setAutoCommit(true);
                    }
                }
            }
        }
        assertThat(wrong).as("cases decided the wrong way").isEmpty();
    }
}
