package dev.veil.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.analysis.Dialect;
import dev.veil.testing.AuditTrail;
import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The evasion suite through Veil to a real PostgreSQL with pgjdbc, in the simple protocol, the extended one with
 * unnamed statements, and named binary statements: every case refused with 42501 naming a guardrail, the shop's
 * tables unchanged, the session usable; the ordinary statements run. In the simple protocol the refusals happen
 * inside an open transaction, which must survive them all ({@code COMMIT; DROP …} included: refused whole).
 */
@Tag("servers")
@QuarkusTest
@TestProfile(GuardrailTestProfile.class)
@QuarkusTestResource(VeilTestResource.class)
class PgGuardrailEvasionTest {
    private static final String STATE = "SELECT (SELECT count(*) || ':' || coalesce(sum(amount), 0) || ':' "
            + "|| coalesce(md5(string_agg(id || status, ',' ORDER BY id)), '') FROM orders) || '/' "
            + "|| (SELECT count(*) FROM customers) || '/' "
            + "|| (SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public')";

    private static Connection veil(String extra) throws SQLException {
        return DriverManager.getConnection(VeilTestResource.veilUrl("shop", extra), VeilTestResource.USER, VeilTestResource.PASSWORD);
    }

    private static String state(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery(STATE)) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void everyEvasionIsRefusedInEachProtocolAndOrdinaryStatementsRun() throws Exception {
        List<EvasionCases.Case> cases = EvasionCases.of(Dialect.POSTGRESQL);
        assertThat(cases.stream().filter(EvasionCases.Case::refused).count()).isGreaterThanOrEqualTo(150);
        List<String> wrong = new ArrayList<>();
        for (String mode : List.of("preferQueryMode=simple", "", "prepareThreshold=-1&binaryTransfer=true")) {
            boolean simple = mode.startsWith("preferQueryMode");
            try (Connection c = veil(mode); Statement st = c.createStatement()) {
                String before = state(st);
                long marked;
                if (simple) {
                    c.setAutoCommit(false);
                }
                try (ResultSet rs = st.executeQuery("SELECT min(id) FROM orders")) {
                    rs.next();
                    marked = rs.getLong(1);
                }
                if (simple) {
                    st.executeUpdate("UPDATE orders SET status = 'evasion-marker' WHERE id = " + marked);
                    before = state(st);
                }
                for (EvasionCases.Case k : cases) {
                    if (!k.refused()) {
                        continue;
                    }
                    try {
                        st.execute(k.sql());
                        wrong.add(mode + " ran " + k);
                    } catch (PSQLException e) {
                        // Named statements: pgjdbc first sends Parse and Describe alone (for the parameter types); a
                        // statement the server cannot parse (MERGE before PostgreSQL 15, an unknown function) fails
                        // there, and no Execute, the step Veil decides on, is ever sent: nothing can run.
                        boolean unparsed = mode.startsWith("prepareThreshold") && List.of("42601", "42883").contains(e.getSQLState());
                        if (!refusedByVeil(e) && !unparsed) {
                            wrong.add(mode + " " + k + " failed otherwise: " + e.getSQLState() + " " + e.getMessage());
                        }
                    }
                    if (!simple) {
                        // pgjdbc's extended protocol sends "BEGIN; DELETE …" as two statements: BEGIN ran
                        st.execute("ROLLBACK");
                    }
                    String after = state(st);
                    if (!after.equals(before)) {
                        wrong.add(mode + " " + k + " changed the tables: " + before + " -> " + after);
                        before = after;
                    }
                }
                if (simple) {
                    // still the same transaction: the marker is there, and goes with the rollback
                    try (ResultSet rs = st.executeQuery("SELECT status FROM orders WHERE id = " + marked)) {
                        rs.next();
                        assertThat(rs.getString(1)).isEqualTo("evasion-marker");
                    }
                    c.rollback();
                    c.setAutoCommit(true);
                }
                for (EvasionCases.Case k : cases) {
                    if (k.refused()) {
                        continue;
                    }
                    c.setAutoCommit(false);
                    try {
                        st.execute(k.sql());
                    } catch (SQLException e) {
                        wrong.add(mode + " refused " + k + ": " + e.getMessage());
                    } finally {
                        c.rollback();
                        c.setAutoCommit(true);
                    }
                }
            }
        }
        assertThat(wrong).as("cases decided the wrong way").isEmpty();
    }

    @Test
    void refusalsAreRecordedUnderTheGuardrailAndObserveModeRecordsWhatItWouldHaveRefused() throws Exception {
        try (Connection c = veil(""); Statement st = c.createStatement()) {
            assertThat(catchSql(st, "DELETE FROM customers")).isEqualTo(
                    "guardrail delete-without-where: DELETE on public.customers has no WHERE clause; add one or ask for approval");
            c.setAutoCommit(false);
            st.execute("SET TRANSACTION READ WRITE");
            c.rollback();
        }
        AuditTrail trail = AuditTrail.ofTestVeil();
        JsonNode denied = trail.await(r -> r.path("statement").asText().equals("DELETE FROM customers"), 1).get(0);
        assertThat(denied.path("decision").path("verdict").asText()).isEqualTo("deny");
        assertThat(denied.path("decision").path("rule").asText()).isEqualTo("guardrail.delete-without-where");
        JsonNode observed = trail.await(r -> r.path("statement").asText().equals("SET TRANSACTION READ WRITE"), 1).get(0);
        assertThat(observed.path("decision").path("verdict").asText()).isEqualTo("allow");
        JsonNode o = observed.path("decision").path("observed").get(0);
        assertThat(o.path("rule").asText()).isEqualTo("guardrail.transaction-mode");
        assertThat(o.path("mode").asText()).isEqualTo("observe");
        assertThat(o.path("verdict").asText()).isEqualTo("deny");
    }

    @Test
    void psqlGetsTheSameRefusals() throws Exception {
        Path psql = executable("psql");
        Assumptions.assumeTrue(psql != null, "psql is not installed here (.ci/run installs postgresql-client)");
        // a sample: every multi-statement text (psql sends each -c as one Query) and every third other case
        List<EvasionCases.Case> refused = EvasionCases.of(Dialect.POSTGRESQL).stream().filter(EvasionCases.Case::refused).toList();
        List<String> command = new ArrayList<>(List.of(psql.toString(), "-X", "-h", "127.0.0.1", "-p",
                String.valueOf(VeilTestResource.veilPort()), "-U", VeilTestResource.USER, "-d", "shop"));
        int sample = 0;
        for (int i = 0; i < refused.size(); i++) {
            if (refused.get(i).sql().contains(";") || i % 3 == 0) {
                command.addAll(List.of("-c", refused.get(i).sql()));
                sample++;
            }
        }
        String before;
        try (Connection c = veil(""); Statement st = c.createStatement()) {
            before = state(st);
        }
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("PGPASSWORD", VeilTestResource.PASSWORD);
        pb.environment().put("PGSSLMODE", "disable");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        List<String> errors = out.lines().filter(l -> l.startsWith("ERROR:")).toList();
        assertThat(errors).as(out).hasSize(sample);
        assertThat(errors).allMatch(l -> l.startsWith("ERROR:  guardrail ") || l.contains("(rule builtin."));
        try (Connection c = veil(""); Statement st = c.createStatement()) {
            assertThat(state(st)).isEqualTo(before);
        }
    }

    @Test
    void psqlDescribeCommandsRunForARoleUnderTheFailClosedGuardrail() throws Exception {
        Path psql = executable("psql");
        Assumptions.assumeTrue(psql != null, "psql is not installed here (.ci/run installs postgresql-client)");
        // The catalog queries behind them must all be analysed: the unanalysed guardrail refuses anything else.
        List<String> command = new ArrayList<>(List.of(psql.toString(), "-X", "-h", "127.0.0.1", "-p",
                String.valueOf(VeilTestResource.veilPort()), "-U", VeilTestResource.USER, "-d", "shop"));
        for (String meta : List.of("\\d", "\\dt", "\\d customers", "\\d+ customers", "\\d orders", "\\d+ orders",
                "\\d+ customer_contacts", "\\dv", "\\di", "\\dn", "\\df", "\\l", "\\du", "\\dx", "\\dp", "\\dT", "\\dD",
                "\\dc", "\\do", "\\dC", "\\dF", "\\dL", "\\dO", "\\dX", "\\dd", "\\dy", "\\des", "\\dew", "\\det",
                "\\drds", "\\dRp", "\\dconfig")) {
            command.addAll(List.of("-c", meta));
        }
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("PGPASSWORD", VeilTestResource.PASSWORD);
        pb.environment().put("PGSSLMODE", "disable");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(out.lines().filter(l -> l.startsWith("ERROR:"))).as(out).isEmpty();
        assertThat(out).contains("Table \"public.customers\"").contains("Referenced by:");
    }

    /**
     * Whether Veil's refusal is among the errors. In the extended protocol Parse and Bind go to the server before
     * Veil decides at Execute: a statement the server cannot parse or bind (MERGE before PostgreSQL 15, a function
     * the account may not execute, checked at Bind) fails there first, and Veil's refusal of the Execute follows
     * before the same ReadyForQuery; pgjdbc chains it behind the server's error. Nothing ran either way.
     */
    private static boolean refusedByVeil(SQLException first) {
        for (SQLException e = first; e != null; e = e.getNextException()) {
            String message = e instanceof PSQLException p && p.getServerErrorMessage() != null
                    ? p.getServerErrorMessage().getMessage() : String.valueOf(e.getMessage());
            if ("42501".equals(e.getSQLState()) && (message.startsWith("guardrail ") || message.contains("(rule builtin."))) {
                return true;
            }
        }
        return false;
    }

    static Path executable(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    private static String catchSql(Statement st, String sql) {
        try {
            st.execute(sql);
            return "ran";
        } catch (PSQLException e) {
            return e.getServerErrorMessage().getMessage();
        } catch (SQLException e) {
            return e.getMessage();
        }
    }
}
