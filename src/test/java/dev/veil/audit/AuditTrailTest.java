package dev.veil.audit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.testing.AuditTrail;
import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;

import static dev.veil.testing.AuditTrail.session;
import static dev.veil.testing.AuditTrail.type;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Real pgjdbc traffic through Veil, and the audit records it leaves. */
@Tag("servers")
@QuarkusTest
@QuarkusTestResource(VeilTestResource.class)
class AuditTrailTest {
    private final AuditTrail trail = AuditTrail.ofTestVeil();

    private static Connection veil(String app, String extra) throws SQLException {
        return DriverManager.getConnection(VeilTestResource.veilUrl("shop", "assumeMinServerVersion=9.4&ApplicationName=" + app + (extra.isEmpty() ? "" : "&" + extra)),
                VeilTestResource.USER, VeilTestResource.PASSWORD);
    }

    /** The session id Veil gave the connection that announced this application name. */
    private long sessionOf(String app) throws Exception {
        return trail.await(j -> type("session.started").test(j) && app.equals(j.path("applicationName").asText()), 1)
                .get(0).path("sessionId").asLong();
    }

    private List<JsonNode> completedOf(long id, int n) throws Exception {
        return trail.await(j -> type("statement.completed").test(j) && session(id).test(j), n);
    }

    @Test
    void recordsASimpleProtocolSessionFromStartToEnd() throws Exception {
        String app = "audit-simple-" + UUID.randomUUID();
        try (Connection c = veil(app, "preferQueryMode=simple"); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT id, email FROM customers WHERE id <= 3 ORDER BY id")) {
                int n = 0;
                while (rs.next()) {
                    n++;
                }
                assertThat(n).isEqualTo(3);
            }
            st.execute("CREATE TEMP TABLE audit_t (x int)");
            assertThat(st.executeUpdate("INSERT INTO audit_t SELECT generate_series(1, 5)")).isEqualTo(5);
            assertThatThrownBy(() -> st.execute("SELECT 1 / 0")).isInstanceOf(PSQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("22012"));
        }
        long id = sessionOf(app);
        JsonNode started = trail.records(j -> type("session.started").test(j) && session(id).test(j)).get(0);
        assertThat(started.path("identity").path("name").asText()).isEqualTo(VeilTestResource.USER);
        assertThat(started.path("protocol").asText()).isEqualTo("postgresql");
        assertThat(started.path("upstream").asText()).isEqualTo("main");
        assertThat(started.path("database").asText()).isEqualTo("shop");
        assertThat(started.path("tls").asBoolean()).isFalse();
        assertThat(started.path("clientAddress").asText()).isEqualTo("127.0.0.1");

        List<JsonNode> ended = trail.await(j -> type("session.ended").test(j) && session(id).test(j), 1);
        assertThat(ended.get(0).path("reason").asText()).isEqualTo("client terminated");

        List<JsonNode> decided = trail.records(j -> type("statement.decided").test(j) && session(id).test(j));
        List<JsonNode> completed = completedOf(id, decided.size());
        JsonNode select = decided.stream().filter(j -> j.path("statement").asText().contains("FROM customers")).findFirst().orElseThrow();
        assertThat(select.path("statement").asText()).isEqualTo("SELECT id, email FROM customers WHERE id <= ? ORDER BY id");
        assertThat(select.path("literalsRedacted").asBoolean()).isTrue();
        assertThat(select.path("fingerprint").asText()).hasSize(16);
        assertThat(select.path("decision").path("verdict").asText()).isEqualTo("allow");
        assertThat(select.path("decision").path("rule").asText()).isEqualTo("no-policy");
        assertThat(select.path("identityName").asText()).isEqualTo(VeilTestResource.USER);
        assertThat(select.path("analysis").path("kind").asText()).isEqualTo("READ");
        assertThat(select.path("analysis").path("relations").toString()).contains("public.customers:read");
        assertThat(select.path("analysis").path("columns").toString()).contains("\"column\":\"email\"");
        assertThat(select.path("analysis").path("lineage").asText()).isEqualTo("known");

        JsonNode selectDone = outcomeOf(completed, select);
        assertThat(selectDone.path("outcome").asText()).isEqualTo("ok");
        assertThat(selectDone.path("rows").asLong()).isEqualTo(3);
        assertThat(selectDone.path("commandTag").asText()).isEqualTo("SELECT 3");
        assertThat(selectDone.path("seq").asLong()).isGreaterThan(select.path("seq").asLong());
        JsonNode insert = decided.stream().filter(j -> j.path("statement").asText().startsWith("INSERT")).findFirst().orElseThrow();
        assertThat(outcomeOf(completed, insert).path("rows").asLong()).isEqualTo(5);
        JsonNode division = decided.stream().filter(j -> j.path("statement").asText().equals("SELECT ? / ?")).findFirst().orElseThrow();
        JsonNode divisionDone = outcomeOf(completed, division);
        assertThat(divisionDone.path("outcome").asText()).isEqualTo("error");
        assertThat(divisionDone.path("sqlState").asText()).isEqualTo("22012");
        assertThat(ended.get(0).path("statements").asLong()).isEqualTo(decided.size());
    }

    private static JsonNode outcomeOf(List<JsonNode> completed, JsonNode decided) {
        return completed.stream().filter(j -> j.path("statementId").asLong() == decided.path("statementId").asLong())
                .findFirst().orElseThrow(() -> new AssertionError("no completion for " + decided));
    }

    @Test
    void recordsPreparedStatementsWithParametersAndPortalsFetchedInParts() throws Exception {
        String app = "audit-extended-" + UUID.randomUUID();
        try (Connection c = veil(app, "prepareThreshold=1")) {
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM customers WHERE id <= ? ORDER BY id")) {
                ps.setInt(1, 4);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        // drain
                    }
                }
            }
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("SELECT g FROM generate_series(1, ?) g")) {
                ps.setInt(1, 2500);
                ps.setFetchSize(100); // Execute with a row limit: 25 PortalSuspended round trips, one decision
                int n = 0;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        n++;
                    }
                }
                assertThat(n).isEqualTo(2500);
            }
            c.commit();
        }
        long id = sessionOf(app);
        trail.await(j -> type("session.ended").test(j) && session(id).test(j), 1);
        List<JsonNode> decided = trail.records(j -> type("statement.decided").test(j) && session(id).test(j));
        List<JsonNode> completed = completedOf(id, decided.size());
        JsonNode byId = decided.stream().filter(j -> j.path("statement").asText().contains("customers")).findFirst().orElseThrow();
        assertThat(byId.path("statement").asText()).isEqualTo("SELECT id FROM customers WHERE id <= $1 ORDER BY id");
        // pgjdbc sends an int in binary: recorded as its bytes
        assertThat(byId.path("parameters").get(0).asText()).isEqualTo("\\x00000004");
        assertThat(outcomeOf(completed, byId).path("rows").asLong()).isEqualTo(4);
        List<JsonNode> series = decided.stream().filter(j -> j.path("statement").asText().contains("generate_series")).toList();
        assertThat(series).as("one decision for a portal fetched in 25 parts").hasSize(1);
        JsonNode seriesDone = outcomeOf(completed, series.get(0));
        assertThat(seriesDone.path("rows").asLong()).isEqualTo(2500);
        assertThat(seriesDone.path("outcome").asText()).isEqualTo("ok");
    }

    @Test
    void recordsTheFailingStatementOfABatchAndTheOnesTheServerSkipped() throws Exception {
        String app = "audit-batch-" + UUID.randomUUID();
        try (Connection c = veil(app, "")) {
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TEMP TABLE audit_b (x int CHECK (x > 0))");
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO audit_b VALUES (?)")) {
                for (int v : new int[]{1, 0, 2}) {
                    ps.setInt(1, v);
                    ps.addBatch();
                }
                assertThatThrownBy(ps::executeBatch).isInstanceOf(SQLException.class);
            }
        }
        long id = sessionOf(app);
        trail.await(j -> type("session.ended").test(j) && session(id).test(j), 1);
        List<JsonNode> decided = trail.records(j -> type("statement.decided").test(j) && session(id).test(j)
                && j.path("statement").asText().startsWith("INSERT"));
        assertThat(decided).hasSize(3);
        List<JsonNode> completed = completedOf(id, 1);
        assertThat(decided.stream().map(d -> outcomeOf(completed, d).path("outcome").asText()).toList())
                .containsExactly("ok", "error", "skipped");
        assertThat(outcomeOf(completed, decided.get(1)).path("sqlState").asText()).isEqualTo("23514");
    }

    @Test
    void recordsFailedAuthentication() throws Exception {
        String marker = "nobody-" + UUID.randomUUID().toString().substring(0, 8);
        assertThatThrownBy(() -> DriverManager.getConnection(VeilTestResource.veilUrl("shop", ""), marker, "wrong"))
                .isInstanceOf(PSQLException.class);
        assertThatThrownBy(() -> DriverManager.getConnection(VeilTestResource.veilUrl("shop", ""), VeilTestResource.USER, "wrong"))
                .isInstanceOf(PSQLException.class);
        JsonNode unknown = trail.await(j -> type("auth.failed").test(j) && marker.equals(j.path("user").asText()), 1).get(0);
        assertThat(unknown.path("sqlState").asText()).isEqualTo("28P01");
        assertThat(unknown.path("protocol").asText()).isEqualTo("postgresql");
        assertThat(unknown.path("clientAddress").asText()).isEqualTo("127.0.0.1");
        assertThat(trail.await(j -> type("auth.failed").test(j) && VeilTestResource.USER.equals(j.path("user").asText()), 1)).isNotEmpty();
    }

    @Test
    void theDecisionIsInTheFileBeforeTheServerRunsTheStatement() throws Exception {
        Assumptions.assumeTrue(VeilTestResource.server().description().startsWith("embedded"),
                "the server reads Veil's audit files from its own disk: only with the embedded server");
        String marker = "record-before-run-" + UUID.randomUUID();
        String dir = trail.directory().toString();
        // The server itself looks for this statement's comment in the audit files while it runs the statement
        // (as bytes: the file being written is zero-filled beyond its last record, which text cannot hold).
        String sql = "/* " + marker + " */ SELECT bool_or(position(convert_to(split_part(current_query(), '*/', 1), 'UTF8') in "
                + "pg_read_binary_file('" + dir + "/' || f)) > 0) FROM pg_ls_dir('" + dir + "') f WHERE f LIKE 'audit-%'";
        try (Connection c = DriverManager.getConnection(VeilTestResource.veilUrl("tiny/shop", "preferQueryMode=simple"),
                VeilTestResource.USER, VeilTestResource.PASSWORD); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getBoolean(1)).as("decision record on disk when the statement ran").isTrue();
        }
    }

    @Test
    void theControlPlaneTableHoldsTheSameChain() throws Exception {
        String app = "audit-table-" + UUID.randomUUID();
        try (Connection c = veil(app, ""); Statement st = c.createStatement()) {
            st.execute("SELECT 1");
        }
        long id = sessionOf(app);
        trail.await(j -> type("session.ended").test(j) && session(id).test(j), 1);
        AuditCodec codec = new AuditCodec();
        try (Connection c = VeilTestResource.server().connectAsSuperuser("postgres"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT seq, line, hash, type, identity FROM veil_audit WHERE stream = 'test-veil' ORDER BY seq")) {
            String prev = null;
            long lastSeq = -1;
            boolean sawSession = false;
            while (rs.next()) {
                AuditCodec.Parsed p = codec.parse(rs.getString(2));
                assertThat(p.valid()).isTrue();
                assertThat(p.hash()).isEqualTo(rs.getString(3));
                if (prev != null) {
                    assertThat(p.seq()).isEqualTo(lastSeq + 1);
                    assertThat(p.prev()).isEqualTo(prev);
                }
                if ("session.started".equals(rs.getString(4)) && app.equals(p.json().path("applicationName").asText())) {
                    sawSession = true;
                    assertThat(rs.getString(5)).isEqualTo(VeilTestResource.USER);
                }
                prev = p.hash();
                lastSeq = p.seq();
            }
            assertThat(sawSession).isTrue();
        }
    }
}
