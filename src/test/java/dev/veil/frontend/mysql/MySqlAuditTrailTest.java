package dev.veil.frontend.mysql;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.testing.AuditTrail;
import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

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

/** MySQL traffic through Veil lands in the audit trail: sessions, analysed decisions, outcomes, auth failures. */
@Tag("servers")
@QuarkusTest
@QuarkusTestResource(VeilTestResource.class)
class MySqlAuditTrailTest {
    private final AuditTrail trail = AuditTrail.ofTestVeil();

    private static Connection veil(String program, String extra) throws SQLException {
        return DriverManager.getConnection(VeilTestResource.veilMysqlUrl("shop", "connectionAttributes=program_name:" + program
                + (extra.isEmpty() ? "" : "&" + extra)), MySqlDrivers.props(VeilTestResource.USER, VeilTestResource.PASSWORD));
    }

    private long sessionOf(String program) throws Exception {
        return trail.await(j -> type("session.started").test(j) && program.equals(j.path("applicationName").asText()), 1)
                .get(0).path("sessionId").asLong();
    }

    private static JsonNode outcomeOf(List<JsonNode> completed, JsonNode decided) {
        return completed.stream().filter(j -> j.path("statementId").asLong() == decided.path("statementId").asLong())
                .findFirst().orElseThrow(() -> new AssertionError("no completion for " + decided));
    }

    @Test
    void recordsTextAndPreparedStatementsWithTheirAnalysisAndOutcome() throws Exception {
        String program = "audit-mysql-" + UUID.randomUUID();
        try (Connection c = veil(program, "useServerPrepStmts=true"); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT id, email FROM customers WHERE id <= 3 ORDER BY id")) {
                int n = 0;
                while (rs.next()) {
                    n++;
                }
                assertThat(n).isEqualTo(3);
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT full_name FROM customers WHERE id = ?")) {
                ps.setInt(1, 7);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                }
            }
            assertThatThrownBy(() -> st.executeQuery("SELECT * FROM audit_no_such_table"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(1146));
        }
        long id = sessionOf(program);
        JsonNode started = trail.records(j -> type("session.started").test(j) && session(id).test(j)).get(0);
        assertThat(started.path("protocol").asText()).isEqualTo("mysql");
        assertThat(started.path("identity").path("name").asText()).isEqualTo(VeilTestResource.USER);
        assertThat(started.path("upstream").asText()).isEqualTo("my");

        List<JsonNode> ended = trail.await(j -> type("session.ended").test(j) && session(id).test(j), 1);
        List<JsonNode> decided = trail.records(j -> type("statement.decided").test(j) && session(id).test(j));
        List<JsonNode> completed = trail.await(j -> type("statement.completed").test(j) && session(id).test(j), decided.size());

        JsonNode select = decided.stream().filter(j -> j.path("statement").asText().contains("id, email FROM customers"))
                .findFirst().orElseThrow();
        assertThat(select.path("protocol").asText()).isEqualTo("mysql");
        assertThat(select.path("analysis").path("kind").asText()).isEqualTo("READ");
        assertThat(select.path("analysis").path("relations").toString()).contains("customers");
        assertThat(select.path("decision").path("verdict").asText()).isEqualTo("allow");
        JsonNode selectDone = outcomeOf(completed, select);
        assertThat(selectDone.path("outcome").asText()).isEqualTo("ok");
        assertThat(selectDone.path("rows").asLong()).isEqualTo(3);
        assertThat(selectDone.path("seq").asLong()).isGreaterThan(select.path("seq").asLong());

        JsonNode prepared = decided.stream().filter(j -> j.path("statement").asText().startsWith("SELECT full_name FROM customers"))
                .findFirst().orElseThrow();
        assertThat(prepared.path("analysis").path("kind").asText()).isEqualTo("READ");
        assertThat(outcomeOf(completed, prepared).path("rows").asLong()).isEqualTo(1);

        JsonNode failing = decided.stream().filter(j -> j.path("statement").asText().contains("audit_no_such_table"))
                .findFirst().orElseThrow();
        JsonNode failed = outcomeOf(completed, failing);
        assertThat(failed.path("outcome").asText()).isEqualTo("error");
        assertThat(failed.path("errno").asInt()).isEqualTo(1146);
        assertThat(failed.path("sqlState").asText()).isEqualTo("42S02");
        assertThat(ended.get(0).path("statements").asLong()).isEqualTo(decided.size());
    }

    @Test
    void recordsFailedAuthentication() throws Exception {
        String user = "nobody-" + UUID.randomUUID().toString().substring(0, 8);
        assertThatThrownBy(() -> DriverManager.getConnection(VeilTestResource.veilMysqlUrl("shop", ""),
                MySqlDrivers.props(user, "wrong")).close()).isInstanceOf(SQLException.class);
        JsonNode failure = trail.await(j -> type("auth.failed").test(j) && user.equals(j.path("user").asText()), 1).get(0);
        assertThat(failure.path("protocol").asText()).isEqualTo("mysql");
    }

    @Test
    void recordsAClientThatHangsUpDuringAuthentication() throws Exception {
        String user = VeilTestResource.USER;
        long before = trail.records(j -> type("auth.failed").test(j) && user.equals(j.path("user").asText())
                && j.path("reason").asText().contains("closed the connection during authentication")).size();
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", VeilTestResource.veilMySqlPort())) {
            s.setSoTimeout(10_000);
            java.io.InputStream in = s.getInputStream();
            readPacket(in); // the greeting
            // A native-password answer to Veil's caching_sha2_password greeting: Veil switches plugins and waits.
            int caps = dev.veil.protocol.mysql.Capabilities.PROTOCOL_41 | dev.veil.protocol.mysql.Capabilities.SECURE_CONNECTION
                    | dev.veil.protocol.mysql.Capabilities.PLUGIN_AUTH;
            io.vertx.core.buffer.Buffer response = new dev.veil.protocol.mysql.HandshakeResponse41(caps, 1 << 24, 45, user,
                    new byte[20], null, "mysql_native_password", java.util.Map.of()).encode();
            s.getOutputStream().write(dev.veil.protocol.mysql.Packets.frame(1, response).getBytes());
            s.getOutputStream().flush();
            byte[] authSwitch = readPacket(in);
            assertThat(authSwitch[0] & 0xff).isEqualTo(0xfe);
        }
        trail.await(j -> type("auth.failed").test(j) && user.equals(j.path("user").asText())
                && j.path("reason").asText().contains("closed the connection during authentication"), (int) before + 1);
    }

    private static byte[] readPacket(java.io.InputStream in) throws Exception {
        byte[] header = in.readNBytes(4);
        int length = (header[0] & 0xff) | (header[1] & 0xff) << 8 | (header[2] & 0xff) << 16;
        return in.readNBytes(length);
    }
}
