package dev.veil.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.audit.AuditCodec;
import dev.veil.testing.AuditTrail;
import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * pgjdbc through a Veil whose policy puts the test user under an affected-rows ceiling of 3: counted inside a
 * savepoint (or Veil's own transaction in autocommit), refused and rolled back over it, the client's transaction
 * and session going on, in the simple and the extended protocol (prepared statements, batches); counted only in
 * observe mode.
 * Works on orders 101 to 110, which it gives back their status after each test.
 */
@Tag("servers")
@QuarkusTest
@TestProfile(RowCeilingTestProfile.class)
@QuarkusTestResource(VeilTestResource.class)
class PgRowCeilingThroughVeilTest {
    private static final String SIMPLE = "preferQueryMode=simple";

    @TestHTTPResource("/")
    URI base;

    private final HttpClient http = HttpClient.newHttpClient();

    private static Connection tester(String extra) throws SQLException {
        return DriverManager.getConnection(VeilTestResource.veilUrl("shop", extra.isEmpty() ? "socketTimeout=40" : extra + "&socketTimeout=40"),
                VeilTestResource.USER, VeilTestResource.PASSWORD);
    }

    private static Connection auditor() throws SQLException {
        return DriverManager.getConnection(VeilTestResource.veilUrl("shop", ""), VeilTestResource.ADMIN_USER,
                VeilTestResource.ADMIN_PASSWORD);
    }

    private static long marked(String status) throws SQLException {
        try (Connection c = auditor(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM orders WHERE status = '" + status + "'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static PSQLException refused(Statement st, String sql) {
        PSQLException e = catchThrowableOfType(() -> st.execute(sql), PSQLException.class);
        assertThat((Throwable) e).as("refused: " + sql).isNotNull();
        assertThat(e.getSQLState()).as(sql).isEqualTo("42501");
        return e;
    }

    /** The status of orders 101 to 110 before the tests, one statement that gives it back. */
    private static String restore;

    @BeforeEach
    void rememberTheOrdersStatus() throws Exception {
        if (restore != null) {
            return;
        }
        StringBuilder cases = new StringBuilder("UPDATE orders SET status = CASE id");
        try (Connection c = auditor(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT id, status FROM orders WHERE id BETWEEN 101 AND 110")) {
            while (rs.next()) {
                cases.append(" WHEN ").append(rs.getLong(1)).append(" THEN '").append(rs.getString(2)).append('\'');
            }
        }
        restore = cases.append(" END WHERE id BETWEEN 101 AND 110").toString();
    }

    @AfterEach
    void giveTheOrdersBackTheirStatus() throws Exception {
        try (Connection c = auditor(); Statement st = c.createStatement()) {
            st.executeUpdate(restore);
        }
    }

    @Test
    void withinTheCeilingTheStatementCommitsAndOverItNothingChanges() throws Exception {
        try (Connection c = tester(SIMPLE); Statement st = c.createStatement()) {
            assertThat(st.executeUpdate("UPDATE orders SET status = 'ceiling-a' WHERE id BETWEEN 101 AND 102")).isEqualTo(2);
            assertThat(marked("ceiling-a")).as("committed: another session sees it").isEqualTo(2);

            PSQLException e = refused(st, "UPDATE orders SET status = 'ceiling-b' WHERE id BETWEEN 101 AND 105");
            assertThat(e.getServerErrorMessage().getMessage()).startsWith("guardrail affected-rows-ceiling: this statement "
                    + "changed 5 rows, more than this role's ceiling of 3; Veil rolled its changes back");
            assertThat(marked("ceiling-b")).isZero();
            assertThat(marked("ceiling-a")).isEqualTo(2);
            // the session goes on, out of any transaction
            assertThat(c.getAutoCommit()).isTrue();
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM orders WHERE id BETWEEN 101 AND 105")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(5);
            }
            // a statement answered with rows is held until they are counted, then relayed whole
            List<Long> ids = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("UPDATE orders SET status = 'ceiling-r' WHERE id BETWEEN 103 AND 104 RETURNING id")) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
            assertThat(ids).containsExactlyInAnyOrder(103L, 104L);
            assertThat(marked("ceiling-r")).isEqualTo(2);
        }
        // the audit trail has the count with the ceiling's decision
        JsonNode over = AuditTrail.ofTestVeil().await(r -> "statement.completed".equals(r.path("type").asText())
                && "deny".equals(r.path("decision").path("verdict").asText()), 1).get(0);
        assertThat(over.path("decision").path("rule").asText()).isEqualTo("guardrail.affected-rows-ceiling");
        assertThat(over.path("outcome").asText()).isEqualTo("refused");
        assertThat(over.path("rows").asLong()).isEqualTo(5);
        assertThat(search("rule=guardrail.affected-rows-ceiling&decision=deny")).anyMatch(r -> r.path("seq").equals(over.path("seq")));
        JsonNode within = AuditTrail.ofTestVeil().await(r -> "statement.completed".equals(r.path("type").asText())
                && "guardrail.affected-rows-ceiling".equals(r.path("decision").path("rule").asText())
                && "allow".equals(r.path("decision").path("verdict").asText()), 1).get(0);
        assertThat(within.path("decision").path("reason").asText()).contains("within the ceiling of 3");
    }

    @Test
    void insideTheClientsTransactionARefusalKeepsTheWorkBeforeIt() throws Exception {
        try (Connection c = tester(SIMPLE); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            assertThat(st.executeUpdate("UPDATE orders SET status = 'ceiling-c' WHERE id = 106")).isEqualTo(1);
            refused(st, "UPDATE orders SET status = 'ceiling-d' WHERE id BETWEEN 101 AND 105");
            assertThat(st.executeUpdate("UPDATE orders SET status = 'ceiling-c' WHERE id = 107")).isEqualTo(1);
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM orders WHERE status = 'ceiling-c'")) {
                rs.next();
                assertThat(rs.getLong(1)).as("the transaction sees its own work").isEqualTo(2);
            }
            assertThat(marked("ceiling-c")).as("not committed yet").isZero();
            c.commit();
        }
        assertThat(marked("ceiling-c")).isEqualTo(2);
        assertThat(marked("ceiling-d")).isZero();
    }

    @Test
    void statementsPipelinedBehindTheClientsBeginRunInItsTransaction() throws Exception {
        // pgjdbc sends BEGIN and the batch's statements without waiting for their answers: the ceiling's wrap
        // starts only once BEGIN is answered, so it opens a savepoint in the client's transaction, never a COMMIT
        try (Connection c = tester(SIMPLE); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            st.addBatch("UPDATE orders SET status = 'ceiling-p' WHERE id = 109");
            st.addBatch("UPDATE orders SET status = 'ceiling-p' WHERE id = 110");
            assertThat(st.executeBatch()).containsExactly(1, 1);
            assertThat(marked("ceiling-p")).as("not committed yet").isZero();
            c.rollback();
        }
        assertThat(marked("ceiling-p")).isZero();
    }

    @Test
    void preparedStatementsInAutocommitAreCountedAndCommittedOrRolledBack() throws Exception {
        try (Connection c = tester(""); PreparedStatement within = c.prepareStatement(
                "UPDATE orders SET status = ? WHERE id BETWEEN ? AND ?")) {
            within.setString(1, "ceiling-e");
            within.setLong(2, 101);
            within.setLong(3, 102);
            assertThat(within.executeUpdate()).isEqualTo(2);
            assertThat(marked("ceiling-e")).as("committed: another session sees it").isEqualTo(2);

            within.setString(1, "ceiling-f");
            within.setLong(3, 105);
            PSQLException e = catchThrowableOfType(within::executeUpdate, PSQLException.class);
            assertThat(e.getSQLState()).isEqualTo("42501");
            assertThat(e.getServerErrorMessage().getMessage()).startsWith("guardrail affected-rows-ceiling: this statement "
                    + "changed 5 rows, more than this role's ceiling of 3");
            assertThat(marked("ceiling-f")).isZero();
            assertThat(marked("ceiling-e")).isEqualTo(2);

            // the session goes on, out of any transaction: its next statement commits on its own
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM orders WHERE id = ? AND status = 'no such status'")) {
                delete.setLong(1, 101);
                assertThat(delete.executeUpdate()).isZero();
            }
            List<Long> ids = new ArrayList<>();
            try (PreparedStatement returning = c.prepareStatement(
                    "UPDATE orders SET status = 'ceiling-r' WHERE id BETWEEN ? AND ? RETURNING id")) {
                returning.setLong(1, 103);
                returning.setLong(2, 104);
                try (ResultSet rs = returning.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getLong(1));
                    }
                }
            }
            assertThat(ids).containsExactlyInAnyOrder(103L, 104L);
            assertThat(marked("ceiling-r")).isEqualTo(2);
        }
    }

    @Test
    void preparedStatementsInsideTheClientsTransactionAreUndoneAloneOverTheCeiling() throws Exception {
        // pgjdbc sends its BEGIN in the same batch as the first statement: Veil's savepoint goes in after it
        for (String mode : List.of("", "prepareThreshold=1")) {
            try (Connection c = tester(mode); PreparedStatement st = c.prepareStatement("UPDATE orders SET status = ? WHERE id BETWEEN ? AND ?")) {
                c.setAutoCommit(false);
                for (int i = 0; i < 2; i++) { // the second time through a server-prepared statement with prepareThreshold=1
                    st.setString(1, "ceiling-g");
                    st.setLong(2, 106);
                    st.setLong(3, 106);
                    assertThat(st.executeUpdate()).isEqualTo(1);
                    st.setString(1, "ceiling-h");
                    st.setLong(2, 101);
                    st.setLong(3, 105);
                    PSQLException e = catchThrowableOfType(st::executeUpdate, PSQLException.class);
                    assertThat(e.getSQLState()).as(mode).isEqualTo("42501");
                }
                try (Statement read = c.createStatement();
                     ResultSet rs = read.executeQuery("SELECT count(*) FROM orders WHERE status = 'ceiling-g'")) {
                    rs.next();
                    assertThat(rs.getLong(1)).as("the transaction goes on with its own work").isEqualTo(1);
                }
                assertThat(marked("ceiling-g")).as("not committed yet").isZero();
                c.commit();
            }
            assertThat(marked("ceiling-g")).as(mode).isEqualTo(1);
            assertThat(marked("ceiling-h")).as(mode).isZero();
            giveTheOrdersBackTheirStatus();
        }
    }

    @Test
    void aBatchInAutocommitStaysAtomicAndIsUndoneWholeWhenOneStatementIsOverTheCeiling() throws Exception {
        try (Connection c = tester(""); PreparedStatement st = c.prepareStatement("UPDATE orders SET status = ? WHERE id BETWEEN ? AND ?")) {
            for (long id : new long[] {109, 110}) {
                st.setString(1, "ceiling-p");
                st.setLong(2, id);
                st.setLong(3, id);
                st.addBatch();
            }
            assertThat(st.executeBatch()).containsExactly(1, 1);
            assertThat(marked("ceiling-p")).as("committed with the batch's Sync").isEqualTo(2);

            st.setString(1, "ceiling-q");
            st.setLong(2, 109);
            st.setLong(3, 109);
            st.addBatch();
            st.setString(1, "ceiling-q");
            st.setLong(2, 101);
            st.setLong(3, 108);
            st.addBatch();
            assertThat((Throwable) catchThrowableOfType(st::executeBatch, SQLException.class)).isNotNull();
            assertThat(marked("ceiling-q")).as("the batch is undone whole, as an error in it would undo it").isZero();
            assertThat(c.getAutoCommit()).isTrue();
            try (Statement read = c.createStatement(); ResultSet rs = read.executeQuery("SELECT count(*) FROM orders")) {
                assertThat(rs.next()).isTrue();
            }
        }
    }

    @Test
    void aFailingStatementFailsAsItWouldWithoutVeil() throws Exception {
        try (Connection c = tester(""); PreparedStatement st = c.prepareStatement("UPDATE orders SET id = id / ? WHERE id = 101")) {
            st.setInt(1, 0);
            PSQLException e = catchThrowableOfType(st::executeUpdate, PSQLException.class);
            assertThat(e.getSQLState()).isEqualTo("22012");
            c.setAutoCommit(false);
            e = catchThrowableOfType(st::executeUpdate, PSQLException.class);
            assertThat(e.getSQLState()).isEqualTo("22012");
            // in the failed transaction the server's own error comes through unchanged
            e = catchThrowableOfType(st::executeUpdate, PSQLException.class);
            assertThat(e.getSQLState()).isEqualTo("25P02");
            c.rollback();
            st.setInt(1, 1);
            assertThat(st.executeUpdate()).isEqualTo(1);
            c.commit();
        }
    }

    @Test
    void inObserveModeTheStatementRunsAndWhatWouldHaveBeenRefusedIsRecorded() throws Exception {
        RowCeilingTestProfile.replace(RowCeilingTestProfile.OBSERVED);
        try {
            awaitReadiness("\"version\": \"" + PolicyParser.version(RowCeilingTestProfile.OBSERVED) + "\"");
            for (String mode : List.of("", SIMPLE)) {
                try (Connection c = tester(mode); Statement st = c.createStatement()) {
                    assertThat(st.executeUpdate("UPDATE orders SET status = 'ceiling-o' WHERE id BETWEEN 101 AND 104")).isEqualTo(4);
                }
                assertThat(marked("ceiling-o")).as(mode).isEqualTo(4);
                giveTheOrdersBackTheirStatus();
            }
            JsonNode seen = AuditTrail.ofTestVeil().await(r -> "statement.completed".equals(r.path("type").asText())
                    && r.path("decision").path("observed").size() > 0, 2).get(0);
            assertThat(seen.path("decision").path("verdict").asText()).isEqualTo("allow");
            assertThat(seen.path("rows").asLong()).isEqualTo(4);
            JsonNode observation = seen.path("decision").path("observed").get(0);
            assertThat(observation.path("rule").asText()).isEqualTo("guardrail.affected-rows-ceiling");
            assertThat(observation.path("mode").asText()).isEqualTo("observe");
            assertThat(observation.path("verdict").asText()).isEqualTo("deny");
        } finally {
            RowCeilingTestProfile.replace(RowCeilingTestProfile.POLICY);
            awaitReadiness("\"version\": \"" + PolicyParser.version(RowCeilingTestProfile.POLICY) + "\"");
        }
    }

    @Test
    void theDecideApiReportsTheCeilingAndTheDatabaseUserAsTheSessionWouldHaveThem() throws Exception {
        JsonNode update = decide("{\"identity\": {\"subject\": \"" + VeilTestResource.USER + "\"}, \"dialect\": \"postgresql\", "
                + "\"database\": \"shop\", \"sql\": \"UPDATE orders SET status = 'x' WHERE id = 1\"}");
        assertThat(update.path("verdict").asText()).isEqualTo("allow");
        assertThat(update.path("ceiling").path("rule").asText()).isEqualTo("guardrail.affected-rows-ceiling");
        assertThat(update.path("ceiling").path("max-rows").asLong()).isEqualTo(3);
        assertThat(update.path("database-user").path("read-only").asBoolean()).isFalse();

        // upstream "roles" gives analyst a read-only database user: the built-in read-only checks apply, as in a session
        String readWrite = "\"dialect\": \"postgresql\", \"database\": \"roles/shop\", "
                + "\"sql\": \"SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE\"}";
        JsonNode analyst = decide("{\"role\": \"analyst\", " + readWrite);
        assertThat(analyst.path("database-user").path("user").asText()).isEqualTo(VeilTestResource.READER_DB_USER);
        assertThat(analyst.path("database-user").path("read-only").asBoolean()).isTrue();
        assertThat(analyst.path("verdict").asText()).isEqualTo("deny");
        assertThat(analyst.path("rule").asText()).isEqualTo("guardrail.transaction-mode");
        JsonNode engineer = decide("{\"role\": \"engineer\", " + readWrite);
        assertThat(engineer.path("database-user").path("read-only").asBoolean()).isFalse();
        assertThat(engineer.path("verdict").asText()).isEqualTo("allow");
        assertThat(engineer.has("ceiling")).as("no ceiling for a SET").isFalse();
    }

    private JsonNode decide(String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/api/v1/decide"))
                .header("Authorization", VeilTestResource.adminAuthorization()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return new AuditCodec().mapper().readTree(r.body());
    }

    private List<JsonNode> search(String query) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/api/v1/audit?limit=1000&" + query))
                .header("Authorization", VeilTestResource.adminAuthorization()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = new AuditCodec().mapper().readTree(r.body());
        List<JsonNode> out = new ArrayList<>();
        (body.isArray() ? body : body.path("records")).forEach(out::add);
        return out;
    }

    private String readiness() throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve("/q/health/ready"))
                .header("Authorization", VeilTestResource.adminAuthorization()).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private void awaitReadiness(String text) throws Exception {
        for (int i = 0; i < 300 && !readiness().contains(text); i++) {
            Thread.sleep(100);
        }
        assertThat(readiness()).contains(text);
    }
}
