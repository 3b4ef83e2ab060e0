package dev.veil.frontend.pg;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.testing.AuditTrail;
import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.fastpath.Fastpath;
import org.postgresql.fastpath.FastpathArg;
import org.postgresql.largeobject.LargeObject;
import org.postgresql.largeobject.LargeObjectManager;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

import static dev.veil.testing.AuditTrail.session;
import static dev.veil.testing.AuditTrail.type;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The fast-path interface (FunctionCall 'F', no SQL: pgjdbc's and libpq's large-object calls, or any function by
 * its oid) through Veil: each call is recorded as the function it calls, with its oid and an argument digest, and
 * is never classed as less dangerous than the function may be.
 */
@Tag("servers")
@QuarkusTest
@QuarkusTestResource(VeilTestResource.class)
class FastPathCallsThroughVeilTest {
    private final AuditTrail trail = AuditTrail.ofTestVeil();

    private static Connection veil(String app) throws SQLException {
        return DriverManager.getConnection(VeilTestResource.veilUrl("shop", "assumeMinServerVersion=9.4&ApplicationName=" + app),
                VeilTestResource.USER, VeilTestResource.PASSWORD);
    }

    private List<JsonNode> callsOf(String app, String function, int n) throws Exception {
        long id = trail.await(j -> type("session.started").test(j) && app.equals(j.path("applicationName").asText()), 1)
                .get(0).path("sessionId").asLong();
        return trail.await(j -> type("statement.decided").test(j) && session(id).test(j)
                && j.path("statement").asText().startsWith("SELECT \"pg_catalog\".\"" + function + "\"("), n);
    }

    private static long oidOf(Connection c, String signature) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT '" + signature + "'::regprocedure::oid::int8")) {
            assertThat(rs.next()).isTrue();
            return rs.getLong(1);
        }
    }

    @Test
    void largeObjectCallsWorkAndAreRecordedAsTheVolatileFunctionsTheyCall() throws Exception {
        String app = "fastpath-lo-" + UUID.randomUUID();
        byte[] data = "through the fast path".getBytes(StandardCharsets.UTF_8);
        try (Connection c = veil(app)) {
            c.setAutoCommit(false);
            LargeObjectManager objects = c.unwrap(PGConnection.class).getLargeObjectAPI();
            long oid = objects.createLO();
            try (LargeObject lo = objects.open(oid, LargeObjectManager.WRITE)) {
                lo.write(data);
            }
            try (LargeObject lo = objects.open(oid, LargeObjectManager.READ)) {
                assertThat(lo.read(data.length)).isEqualTo(data);
            }
            objects.delete(oid);
            c.commit();
        }
        JsonNode write = callsOf(app, "lowrite", 1).get(0);
        assertThat(write.path("statement").asText())
                .startsWith("SELECT \"pg_catalog\".\"lowrite\"($1, $2) /* fast-path FunctionCall: function oid ")
                .contains("2 arguments, sha256 ");
        assertThat(write.path("analysis").path("kind").asText()).isEqualTo("WRITE");
        assertThat(callsOf(app, "loread", 1).get(0).path("analysis").path("kind").asText())
                .as("loread is VOLATILE (it moves the descriptor): no less than a write").isEqualTo("WRITE");
    }

    @Test
    void aFunctionCalledByOidIsRecordedWithItsNameKindAndArgumentDigest() throws Exception {
        String app = "fastpath-file-" + UUID.randomUUID();
        try (Connection c = veil(app)) {
            long readFile = oidOf(c, "pg_catalog.pg_read_file(text)");
            Fastpath fp = c.unwrap(PGConnection.class).getFastpathAPI();
            // The test's role may not read server files: the server refuses, and the record says what was tried.
            SQLException refused = catchThrowableOfType(
                    () -> fp.fastpath((int) readFile, new FastpathArg[]{new FastpathArg("PG_VERSION")}), SQLException.class);
            assertThat(refused.getSQLState()).isEqualTo("42501");
            JsonNode call = callsOf(app, "pg_read_file", 1).get(0);
            // The digest's documented form: SHA-256 over each rendered argument's length, ':' and its text; pgjdbc
            // sends fast-path arguments in binary format, rendered as \x and their hex.
            String rendered = "\\x" + HexFormat.of().formatHex("PG_VERSION".getBytes(StandardCharsets.UTF_8));
            String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest((rendered.length() + ":" + rendered).getBytes(StandardCharsets.UTF_8)));
            assertThat(call.path("statement").asText()).isEqualTo("SELECT \"pg_catalog\".\"pg_read_file\"($1) "
                    + "/* fast-path FunctionCall: function oid " + readFile + ", 1 argument, sha256 " + digest + " */");
            assertThat(call.path("analysis").path("kind").asText()).as("a server file read, not a harmless read")
                    .isEqualTo("PROCEDURAL");
        }
    }

    @Test
    void anOidTheCatalogDoesNotListIsUnknownAndTheSessionGoesOn() throws Exception {
        String app = "fastpath-unknown-" + UUID.randomUUID();
        try (Connection c = veil(app)) {
            Fastpath fp = c.unwrap(PGConnection.class).getFastpathAPI();
            SQLException e = catchThrowableOfType(() -> fp.fastpath(999_999, new FastpathArg[0]), SQLException.class);
            assertThat((Throwable) e).as("the server's own answer").isNotNull();
            assertThat(e.getSQLState()).isEqualTo("42883");
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT 1")) {
                assertThat(rs.next()).isTrue();
            }
        }
        long id = trail.await(j -> type("session.started").test(j) && app.equals(j.path("applicationName").asText()), 1)
                .get(0).path("sessionId").asLong();
        JsonNode call = trail.await(j -> type("statement.decided").test(j) && session(id).test(j)
                && j.path("statement").asText().contains("function oid 999999"), 1).get(0);
        assertThat(call.path("statement").asText()).contains("not in the catalog");
        assertThat(call.path("analysis").path("kind").asText()).isEqualTo("UNKNOWN");
        assertThat(call.path("analysis").path("lineage").asText()).isEqualTo("unknown");
    }
}
