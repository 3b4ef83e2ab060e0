package dev.veil.audit;

import dev.veil.analysis.Dialect;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.config.VeilConfig;
import dev.veil.protocol.mysql.Capabilities;
import dev.veil.protocol.mysql.HandshakeResponse41;
import dev.veil.protocol.mysql.Packets;
import dev.veil.testing.AuditTrail;
import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.buffer.Buffer;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Client input as large as the listeners take, through Veil: the records it leaves are bounded, and every
 * reader (verify, search, the audit API; files and table) reads them.
 */
@Tag("servers")
@QuarkusTest
@QuarkusTestResource(VeilTestResource.class)
class AuditRecordBoundsTest {
    /** Bounded statement text plus the rest of a decision record, with room to spare. */
    private static final int MAX_DECISION_LINE = AuditBounds.DEFAULT.statementChars() + 16 * 1024;

    @TestHTTPResource("/")
    URI base;

    @Inject
    VeilConfig config;

    private final AuditTrail trail = AuditTrail.ofTestVeil();

    /** The first stored line (not parsed: the point is whether the readers can) whose text passes the test. */
    private static AuditSource.Entry first(AuditSource source, Predicate<String> test) throws Exception {
        List<AuditSource.Entry> found = new ArrayList<>();
        for (int i = 0; i < 200 && found.isEmpty(); i++) {
            if (i > 0) {
                Thread.sleep(100);
            }
            source.read(AuditQuery.all(), e -> {
                if (test.test(e.text())) {
                    found.add(e);
                    return false;
                }
                return true;
            });
        }
        assertThat(found).as("a stored line matching in " + source.name()).isNotEmpty();
        return found.get(0);
    }

    private static List<AuditVerifier.Finding> findingsAt(AuditSource source, AuditSource.Entry entry) throws Exception {
        return new AuditVerifier().verify(source, List.of(), true).findings().stream()
                .filter(f -> f.where().equals(entry.where())).toList();
    }

    @Test
    void aStatementWithATwentyOneMegabyteCommentLeavesABoundedRecordThatEveryReaderReads() throws Exception {
        String marker = "padded-" + UUID.randomUUID();
        String sql = "/* " + marker + " " + "x".repeat(21_000_000) + " */ SELECT ssn FROM customers WHERE id = 1";
        Instant before = Instant.now().minusSeconds(1);
        try (Connection c = DriverManager.getConnection(VeilTestResource.veilUrl("shop", "preferQueryMode=simple"),
                VeilTestResource.USER, VeilTestResource.PASSWORD); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).as("the SSN").isNotBlank();
        }
        String recorded = new LiteralRedactor(Dialect.POSTGRESQL).redact(sql);
        Predicate<String> ours = text -> text.contains("\"statement\":\"/* " + marker + " ");

        DirectoryAuditSource files = new DirectoryAuditSource(trail.directory());
        AuditSource.Entry line = first(files, ours);
        assertThat(line.text().length()).isLessThan(MAX_DECISION_LINE);
        assertThat(findingsAt(files, line)).as("audit verify at " + line.where()).isEmpty();
        JsonNode json = new AuditCodec().parse(line.text()).json();
        assertThat(json.path("statement").asText()).isEqualTo(recorded.substring(0, AuditBounds.DEFAULT.statementChars()));
        assertThat(json.path("statementTruncated").asBoolean()).isTrue();
        assertThat(json.path("statementLength").asLong()).isEqualTo(recorded.length());
        assertThat(json.path("statementSha256").asText()).isEqualTo(AuditCodec.sha256(recorded));

        AuditQuery decisions = new AuditQuery(VeilTestResource.USER, before, null, null, null, null, null, "statement.decided", 10_000);
        assertThat(new AuditSearch(files).find(decisions)).as("audit search").anyMatch(m -> ours.test(m.line()));

        try (AuditSource table = AuditTable.of(config.audit().postgres()).stream("test-veil")) {
            AuditSource.Entry row = first(table, ours);
            assertThat(row.text()).isEqualTo(line.text());
            assertThat(findingsAt(table, row)).as("audit verify --postgres at " + row.where()).isEmpty();
        }

        HttpResponse<String> api = HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.resolve(
                        "/api/v1/audit?type=statement.decided&limit=10000&identity=" + VeilTestResource.USER + "&from=" + before))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((VeilTestResource.ADMIN_USER + ":"
                        + VeilTestResource.ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(api.statusCode()).isEqualTo(200);
        List<JsonNode> answered = new ArrayList<>();
        new ObjectMapper().readTree(api.body()).forEach(answered::add);
        assertThat(answered).as("/api/v1/audit").anySatisfy(r -> {
            assertThat(r.path("statement").asText()).startsWith("/* " + marker + " ");
            assertThat(r.path("statementLength").asLong()).isEqualTo(recorded.length());
        });
    }

    /**
     * A handshake response over the 16 kB pre-login cap is refused at its header (PgProtocolRobustnessTest,
     * MySqlSessionTest); a user name just under it still reaches the audit trail, bounded there.
     */
    @Test
    void aLongMySqlUserNameLeavesABoundedAuthFailedRecord() throws Exception {
        long baseline = lastSeq();
        String marker = "flood-" + UUID.randomUUID();
        String user = marker + "u".repeat(15_000);
        try (Socket s = new Socket("127.0.0.1", VeilTestResource.veilMySqlPort())) {
            s.setSoTimeout(60_000);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            readPacket(in); // the greeting
            int caps = Capabilities.PROTOCOL_41 | Capabilities.SECURE_CONNECTION | Capabilities.PLUGIN_AUTH;
            out.write(Packets.frame(1, new HandshakeResponse41(caps, 1 << 24, 45, user, new byte[20], null,
                    "mysql_native_password", Map.of()).encode()).getBytes());
            out.flush();
            // Refused, possibly after a switch to another auth method (answered with a wrong scramble).
            int seq = 3;
            for (byte[] answer = readPacket(in); answer != null; answer = readPacket(in)) {
                if (answer.length == 0 || (answer[0] & 0xff) == 0xff) {
                    break;
                }
                out.write(Packets.frame(seq, Buffer.buffer(new byte[20])).getBytes());
                out.flush();
                seq += 2;
            }
        }
        DirectoryAuditSource files = new DirectoryAuditSource(trail.directory());
        AuditSource.Entry line = first(files, text -> seqOf(text) > baseline && text.contains("\"type\":\"auth.failed\"")
                && text.contains("\"protocol\":\"mysql\""));
        assertThat(line.text().length()).isLessThan(4 * AuditBounds.DEFAULT.fieldChars() + 1024);
        JsonNode json = new AuditCodec().parse(line.text()).json();
        assertThat(json.path("user").asText()).startsWith(marker).endsWith("…[truncated: " + user.length() + " chars]");
        assertThat(findingsAt(files, line)).isEmpty();
    }

    private long lastSeq() throws Exception {
        long[] last = {0};
        new DirectoryAuditSource(trail.directory()).read(AuditQuery.all(), e -> {
            last[0] = Math.max(last[0], seqOf(e.text()));
            return true;
        });
        return last[0];
    }

    /** The seq of a line without parsing it (every line starts {"seq":N,). */
    private static long seqOf(String text) {
        int comma = text.indexOf(',');
        try {
            return text.startsWith("{\"seq\":") && comma > 7 ? Long.parseLong(text.substring(7, comma)) : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** One packet's payload, or null when the server closed the connection. */
    private static byte[] readPacket(InputStream in) throws Exception {
        byte[] header = in.readNBytes(4);
        if (header.length < 4) {
            return null;
        }
        int length = (header[0] & 0xff) | (header[1] & 0xff) << 8 | (header[2] & 0xff) << 16;
        return in.readNBytes(length);
    }
}
