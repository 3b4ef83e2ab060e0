package dev.veil.audit;

import dev.veil.testing.TestConfig;
import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The in-process Veil writes files and the control-plane table at once: evidence and search over its
 * table stream give what they give over its files, and the stream verifies.
 */
@Tag("servers")
@QuarkusTest
@QuarkusTestResource(VeilTestResource.class)
class AuditTableAndFilesTest {
    @TestHTTPResource("/api/v1/audit")
    URI api;

    /** The table the test Veil writes, reached with the same settings the CLI reads from configuration. */
    private static AuditSource table() throws Exception {
        var server = VeilTestResource.server();
        var cfg = TestConfig.veil(Map.of("veil.audit.postgres.host", server.host(), "veil.audit.postgres.port", String.valueOf(server.port()),
                "veil.audit.postgres.database", "postgres", "veil.audit.postgres.user", server.superuser(),
                "veil.audit.postgres.password", server.superuserPassword(), "veil.audit.postgres.tls.mode", "disable"));
        return AuditTable.of(cfg.audit().postgres()).stream("test-veil");
    }

    @Test
    void evidenceAndSearchOverTheTableEqualThoseOverTheFiles() throws Exception {
        Instant from = Instant.now();
        String who = "audit-src-" + UUID.randomUUID().toString().substring(0, 8);
        try (Connection c = DriverManager.getConnection(VeilTestResource.veilUrl("shop", "preferQueryMode=simple"),
                VeilTestResource.USER, VeilTestResource.PASSWORD); Statement st = c.createStatement()) {
            st.execute("SELECT id, email FROM customers WHERE id <= 2");
            st.execute("SELECT count(*) FROM orders");
        }
        assertThatThrownBy(() -> DriverManager.getConnection(VeilTestResource.veilUrl("shop", ""), who, "wrong").close())
                .isInstanceOf(SQLException.class);
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(api + "?identity=" + who))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        (VeilTestResource.ADMIN_USER + ":" + VeilTestResource.ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        Instant to = Instant.now().plusMillis(1);

        EvidenceReport evidence = new EvidenceReport();
        AuditQuery mine = new AuditQuery(who, from, to, null, null, null, null, null, 100);
        EvidenceReport.Report fromFiles = null;
        EvidenceReport.Report fromTable = null;
        // Outcomes and session ends go out with a later batch: wait until both sinks hold the whole window.
        try (AuditSource table = table()) {
            for (int i = 0; i < 200; i++) {
                fromFiles = evidence.build(VeilTestResource.auditDirectory(), from, to);
                fromTable = evidence.build(table, from, to);
                if (fromFiles.equals(fromTable) && fromTable.signInFailures().stream().anyMatch(f -> who.equals(f.user()))
                        && fromTable.adminActions().stream().anyMatch(a -> a.detail().contains(who))) {
                    break;
                }
                Thread.sleep(100);
            }
            assertThat(fromTable).isEqualTo(fromFiles);
            assertThat(fromTable.signInFailures()).extracting(EvidenceReport.SignInFailure::user).contains(who);
            assertThat(fromTable.adminActions()).anySatisfy(a -> assertThat(a.detail()).contains(who));
            assertThat(fromTable.recordsScanned()).isGreaterThanOrEqualTo(8);

            List<String> tableLines = new AuditSearch(table).find(mine).stream().map(AuditSearch.Match::line).toList();
            assertThat(tableLines).hasSize(1).isEqualTo(new AuditSearch(VeilTestResource.auditDirectory()).find(mine)
                    .stream().map(AuditSearch.Match::line).toList());

            AuditVerifier.Result verified = new AuditVerifier().verify(table, List.of(), false);
            assertThat(verified.findings()).isEmpty();
            assertThat(verified.firstSeq()).isEqualTo(1);
        }
    }

    private HttpResponse<String> api(String query) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(api + "?" + query))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        (VeilTestResource.ADMIN_USER + ":" + VeilTestResource.ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private List<Long> seqs(String query) throws Exception {
        HttpResponse<String> r = api(query);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        List<Long> seqs = new ArrayList<>();
        new AuditCodec().mapper().readTree(r.body()).forEach(j -> seqs.add(j.path("seq").asLong()));
        return seqs;
    }

    @Test
    void theApiAnswersNewestFirstOrOldestFirstAndPagesBySeqFromTheFilesAndTheTable() throws Exception {
        try (Connection c = DriverManager.getConnection(VeilTestResource.veilUrl("shop", "preferQueryMode=simple"),
                VeilTestResource.USER, VeilTestResource.PASSWORD); Statement st = c.createStatement()) {
            for (int i = 0; i < 5; i++) {
                st.execute("SELECT " + i);
            }
        }
        for (String source : List.of("file", "postgres")) {
            List<Long> newest = seqs("source=" + source + "&limit=5");
            long last = newest.get(0);
            assertThat(newest).as(source).containsExactly(last, last - 1, last - 2, last - 3, last - 4);
            // Each call is recorded before it is answered: records keep coming, and the next page is still the next.
            assertThat(seqs("source=" + source + "&limit=5&beforeSeq=" + (last - 4))).as(source)
                    .containsExactly(last - 5, last - 6, last - 7, last - 8, last - 9);
            assertThat(seqs("source=" + source + "&order=desc&limit=1").get(0)).as(source).isGreaterThan(last);
            assertThat(seqs("source=" + source + "&order=asc&limit=3")).as(source).containsExactly(1L, 2L, 3L);
            assertThat(seqs("source=" + source + "&order=asc&limit=2&afterSeq=3")).as(source).containsExactly(4L, 5L);
        }
        HttpResponse<String> sideways = api("order=sideways");
        assertThat(sideways.statusCode()).isEqualTo(400);
        assertThat(sideways.body()).contains("order is desc").contains("asc");
        HttpResponse<String> notASeq = api("beforeSeq=yesterday");
        assertThat(notASeq.statusCode()).isEqualTo(400);
        assertThat(notASeq.body()).contains("beforeSeq is a record's seq");
    }
}
