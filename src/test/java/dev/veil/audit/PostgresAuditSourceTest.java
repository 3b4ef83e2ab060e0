package dev.veil.audit;

import dev.veil.config.EndpointTlsMode;
import dev.veil.demo.DemoPostgres;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Search, evidence and verification over one stream of the audit table on a real PostgreSQL, written by the
 * real writer and table sink; the same records also go to files, and both sources must answer alike.
 */
@Tag("servers")
class PostgresAuditSourceTest {
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private static final AtomicInteger TABLES = new AtomicInteger();
    private static DemoPostgres postgres;
    private static Vertx vertx;

    @TempDir
    Path dir;

    private final String table = "audit_src_" + TABLES.incrementAndGet();
    private final AuditVerifier verifier = new AuditVerifier();

    @BeforeAll
    static void start() throws Exception {
        postgres = DemoPostgres.start(0);
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        postgres.close();
    }

    static PgConnectOptions connectOptions(DemoPostgres pg) {
        return new PgConnectOptions().setHost(pg.host()).setPort(pg.port()).setDatabase("postgres")
                .setUser(pg.user()).setPassword("").setSslMode(SslMode.DISABLE);
    }

    private AuditTable auditTable() {
        return new AuditTable(postgres.jdbcUrl("postgres"), AuditTable.connectionProperties(postgres.user(), "", EndpointTlsMode.DISABLE, null), table);
    }

    /** The evidence events into files and stream "veil-a" of the table at once. */
    private void writeEvidence() throws Exception {
        Clock clock = AuditChainFixture.ticking();
        AuditChainFixture.write(AuditChainFixture.fileAndTable(dir, vertx, connectOptions(postgres), table, "veil-a", clock),
                clock, AuditChainFixture.evidence(T0));
    }

    /** 40 admin actions into stream "veil-a" only, for tampering. */
    private void writeChain(String stream) throws Exception {
        Clock clock = AuditChainFixture.ticking();
        List<AuditEvent> events = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            events.add(AuditChainFixture.admin(clock, i));
        }
        AuditChainFixture.write(AuditChainFixture.fileAndTable(null, vertx, connectOptions(postgres), table, stream, clock), clock, events);
    }

    private void sql(String statement, Object... args) throws Exception {
        try (Connection c = postgres.connect("postgres"); PreparedStatement ps = c.prepareStatement(statement.replace("$t", table))) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            ps.executeUpdate();
        }
    }

    private String line(long seq) throws Exception {
        try (Connection c = postgres.connect("postgres"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT line FROM " + table + " WHERE stream = 'veil-a' AND seq = " + seq)) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }

    private AuditVerifier.Result verify() throws Exception {
        return verifier.verify(auditTable().stream("veil-a"), List.of(), false);
    }

    private static List<String> lines(AuditSearch search, AuditQuery q) throws Exception {
        return search.find(q).stream().map(AuditSearch.Match::line).toList();
    }

    @Test
    void searchOverTheTableFiltersByIdentityTimeRelationTagDecisionAndRuleAsOverTheFiles() throws Exception {
        writeEvidence();
        AuditSearch table = new AuditSearch(auditTable().stream("veil-a"));
        AuditSearch files = new AuditSearch(dir);
        record Case(AuditQuery query, int expected) {
        }
        List<Case> cases = List.of(
                new Case(new AuditQuery("bob", null, null, null, null, null, null, null, 100), 3),
                new Case(new AuditQuery("ann", T0, T0.plusSeconds(3600), null, null, null, null, null, 100), 2),
                new Case(new AuditQuery(null, T0.plusSeconds(120), T0.plusSeconds(240), null, null, null, null, null, 100), 2),
                new Case(new AuditQuery(null, null, null, "customers", null, null, null, null, 100), 4),
                new Case(new AuditQuery(null, null, null, "public.orders", null, null, null, null, 100), 2),
                // Relations are recorded as name:action; a statement on orders that lists no column still matches.
                new Case(new AuditQuery(null, null, null, "orders", null, "deny", null, null, 100), 1),
                new Case(new AuditQuery(null, T0, T0.plusSeconds(3600), "public.customers", "PII.EMAIL", null, null, null, 100), 3),
                new Case(new AuditQuery(null, null, null, null, null, "DENY", "no-unbounded-delete", null, 100), 1),
                new Case(new AuditQuery(null, null, null, null, null, "allow", null, null, 100), 6),
                new Case(new AuditQuery(null, null, null, null, null, null, null, "auth.failed", 100), 1),
                new Case(new AuditQuery("eve", null, null, null, null, null, null, "auth.failed", 100), 1),
                new Case(new AuditQuery(null, null, null, null, null, null, null, null, 2), 2));
        for (Case c : cases) {
            List<String> fromTable = lines(table, c.query());
            assertThat(fromTable).as("%s", c.query()).hasSize(c.expected()).isEqualTo(lines(files, c.query()));
        }
        assertThat(table.find(new AuditQuery(null, null, null, null, null, "deny", null, null, 10))).singleElement()
                .satisfies(m -> assertThat(m.json().path("statement").asText()).isEqualTo("DELETE FROM orders"));
    }

    @Test
    void bothOrdersPageAlikeOverTheTableAndOverTheFiles() throws Exception {
        writeEvidence();
        AuditSearch table = new AuditSearch(auditTable().stream("veil-a"));
        AuditSearch files = new AuditSearch(dir);
        List<String> chain = lines(files, AuditQuery.all());
        assertThat(lines(table, AuditQuery.all())).isEqualTo(chain);
        List<String> newestFirst = new ArrayList<>(chain);
        Collections.reverse(newestFirst);
        for (AuditQuery.Order order : AuditQuery.Order.values()) {
            boolean newest = order == AuditQuery.Order.NEWEST_FIRST;
            List<String> fromTable = new ArrayList<>();
            List<String> fromFiles = new ArrayList<>();
            Long cursor = null;
            do {
                AuditQuery q = new AuditQuery(null, null, null, null, null, null, null, null, 4, order,
                        newest ? null : cursor, newest ? cursor : null);
                List<AuditSearch.Match> page = table.find(q);
                assertThat(page.stream().map(AuditSearch.Match::line).toList()).as(order + " after " + cursor).isEqualTo(lines(files, q));
                page.forEach(m -> fromTable.add(m.line()));
                files.find(q).forEach(m -> fromFiles.add(m.line()));
                cursor = page.isEmpty() ? null : page.get(page.size() - 1).json().path("seq").asLong();
            } while (cursor != null);
            assertThat(fromTable).as(order.name()).isEqualTo(newest ? newestFirst : chain).isEqualTo(fromFiles);
        }
        // With a filter: bob's three records, newest first.
        AuditQuery bob = new AuditQuery("bob", null, null, null, null, null, null, null, 2, AuditQuery.Order.NEWEST_FIRST, null, null);
        assertThat(table.find(bob)).extracting(m -> m.json().path("sessionId").asInt()).containsExactly(4, 3);
        assertThat(lines(table, bob)).isEqualTo(lines(files, bob));
    }

    @Test
    void reportOverTheTableEqualsTheReportOverTheFiles() throws Exception {
        writeEvidence();
        EvidenceReport report = new EvidenceReport();
        EvidenceReport.Report fromTable = report.build(auditTable().stream("veil-a"), T0, T0.plusSeconds(3600));
        assertThat(fromTable).isEqualTo(report.build(dir, T0, T0.plusSeconds(3600)));
        assertThat(fromTable.refusals()).extracting(EvidenceReport.Refusal::rule).containsExactly("no-unbounded-delete");
        assertThat(fromTable.signInFailures()).extracting(EvidenceReport.SignInFailure::user).containsExactly("eve");
        assertThat(fromTable.sensitiveAccess()).hasSize(2);
    }

    @Test
    void verifyAcceptsAnIntactStreamAndAgreesWithTheFiles() throws Exception {
        writeEvidence();
        AuditVerifier.Result table = verify();
        AuditVerifier.Result files = verifier.verify(dir, List.of(), false);
        assertThat(table.findings()).isEmpty();
        assertThat(files.findings()).isEmpty();
        assertThat(table.records()).isEqualTo(files.records()).isGreaterThan(10);
        assertThat(table.lastSeq()).isEqualTo(files.lastSeq());
        assertThat(table.lastHash()).isEqualTo(files.lastHash());
    }

    @Test
    void verifyFindsAnUpdatedLine() throws Exception {
        writeChain("veil-a");
        sql("UPDATE $t SET line = replace(line, '\"alice\"', '\"mallory\"') WHERE stream = 'veil-a' AND seq = 12");
        List<AuditVerifier.Finding> found = verify().findings();
        assertThat(found.get(0)).satisfies(f -> {
            assertThat(f.problem()).isEqualTo(AuditVerifier.Problem.EDITED);
            assertThat(f.file()).isEqualTo("veil-a");
            assertThat(f.line()).isEqualTo(12);
            assertThat(f.toString()).startsWith("stream veil-a seq 12: edited: record seq 12");
        });
        // The identity column still says who the record said before the edit.
        assertThat(found).hasSize(2).last().satisfies(f -> {
            assertThat(f.problem()).isEqualTo(AuditVerifier.Problem.COLUMNS_EDITED);
            assertThat(f.line()).isEqualTo(12);
            assertThat(f.message()).contains("identity alice (the record says mallory)");
        });
    }

    @Test
    void verifyFindsACarriageReturnOrASpaceAddedToALine() throws Exception {
        writeChain("veil-a");
        sql("UPDATE $t SET line = line || E'\\r' WHERE stream = 'veil-a' AND seq = 7");
        sql("UPDATE $t SET line = line || ' ' WHERE stream = 'veil-a' AND seq = 9");
        assertThat(verify().findings()).extracting(Object::toString).containsExactly(
                "stream veil-a seq 7: edited: record seq 7: the line holds 1 byte after the record (\"\\r\"): every byte of a line is"
                        + " Veil's, so the line was changed after it was written",
                "stream veil-a seq 9: edited: record seq 9: the line holds 1 byte after the record (\" \"): every byte of a line is"
                        + " Veil's, so the line was changed after it was written");
    }

    @Test
    void verifyFindsALineRewrittenWithAFreshHash() throws Exception {
        writeChain("veil-a");
        AuditCodec codec = new AuditCodec();
        AuditCodec.Parsed genuine = codec.parse(line(11));
        AuditLine forged = codec.encode(12, AuditChainFixture.admin(AuditChainFixture.ticking(), 99), genuine.hash());
        // A careful forger keeps every column consistent with the forged line.
        sql("UPDATE $t SET line = ?, hash = ?, time = ?, type = ?, identity = ? WHERE stream = 'veil-a' AND seq = 12", forged.text(), forged.hash(),
                OffsetDateTime.ofInstant(forged.time(), ZoneOffset.UTC), forged.type(), forged.identity());
        // The forged record chains to its predecessor; the one after it no longer does.
        assertThat(verify().findings()).singleElement().satisfies(f -> {
            assertThat(f.problem()).isEqualTo(AuditVerifier.Problem.BROKEN_CHAIN);
            assertThat(f.line()).isEqualTo(13);
        });
    }

    @Test
    void aTableLeftBehindByACrashIsCaughtUpFromTheFilesAtTheNextStart() throws Exception {
        writeEvidence();
        // As after a crash: the last rows never reached the table (they were queued in memory), the files hold them.
        sql("DELETE FROM $t WHERE stream = 'veil-a' AND seq > 5");
        Clock clock = Clock.offset(AuditChainFixture.ticking(), Duration.ofDays(1)); // later than the first run's files
        AuditChainFixture.write(AuditChainFixture.fileAndTable(dir, vertx, connectOptions(postgres), table, "veil-a", clock),
                clock, List.of(AuditChainFixture.admin(clock, 1)));
        AuditVerifier.Result table = verify();
        AuditVerifier.Result files = verifier.verify(dir, List.of(), false);
        assertThat(table.findings()).as("no gap in the table's chain").isEmpty();
        assertThat(files.findings()).isEmpty();
        assertThat(table.lastSeq()).isEqualTo(files.lastSeq());
        assertThat(table.records()).isEqualTo(files.records());
    }

    @Test
    void verifyFindsADeletedRow() throws Exception {
        writeChain("veil-a");
        sql("DELETE FROM $t WHERE stream = 'veil-a' AND seq = 20");
        assertThat(verify().findings()).singleElement().satisfies(f -> {
            assertThat(f.problem()).isEqualTo(AuditVerifier.Problem.DELETED);
            assertThat(f.line()).isEqualTo(21);
            assertThat(f.message()).contains("seq 20 is missing");
        });
    }

    @Test
    void verifyFindsACopyOfARowInsertedAtTheEnd() throws Exception {
        writeChain("veil-a");
        String copied = line(7);
        sql("INSERT INTO $t (stream, seq, time, type, identity, line, hash) "
                + "SELECT stream, (SELECT max(seq) + 1 FROM $t WHERE stream = 'veil-a'), time, type, identity, line, hash FROM $t "
                + "WHERE stream = 'veil-a' AND seq = 7");
        AuditVerifier.Result r = verify();
        assertThat(r.findings()).isNotEmpty();
        assertThat(r.findings().get(0).problem()).isEqualTo(AuditVerifier.Problem.INSERTED);
        assertThat(r.findings().get(0).line()).isEqualTo(r.lastSeq() + 1);
        assertThat(r.findings().get(0).message()).contains("first is at stream veil-a seq 7");
        assertThat(copied).isEqualTo(line(7));
    }

    @Test
    void verifyFindsAForgedRowInsertedInTheMiddle() throws Exception {
        writeChain("veil-a");
        // Make room at seq 15 (two steps: the primary key is checked row by row), then insert a record that
        // chains correctly to seq 14 and carries a valid hash.
        sql("UPDATE $t SET seq = -seq - 1 WHERE stream = 'veil-a' AND seq >= 15");
        sql("UPDATE $t SET seq = -seq WHERE stream = 'veil-a' AND seq < 0");
        AuditCodec codec = new AuditCodec();
        AuditLine forged = codec.encode(15, AuditChainFixture.admin(AuditChainFixture.ticking(), 99), codec.parse(line(14)).hash());
        sql("INSERT INTO $t (stream, seq, time, type, identity, line, hash) VALUES ('veil-a', 15, ?, ?, ?, ?, ?)",
                OffsetDateTime.ofInstant(forged.time(), ZoneOffset.UTC), forged.type(), forged.identity(), forged.text(), forged.hash());
        List<AuditVerifier.Finding> found = verify().findings();
        assertThat(found).isNotEmpty();
        // The genuine seq 15, now in the row after the forgery, is the first record out of place.
        assertThat(found.get(0).problem()).isEqualTo(AuditVerifier.Problem.INSERTED);
        assertThat(found.get(0).line()).isEqualTo(16);
    }

    @Test
    void verifyFindsSwappedSeqs() throws Exception {
        writeChain("veil-a");
        sql("UPDATE $t SET seq = -9 WHERE stream = 'veil-a' AND seq = 9");
        sql("UPDATE $t SET seq = 9 WHERE stream = 'veil-a' AND seq = 10");
        sql("UPDATE $t SET seq = 10 WHERE stream = 'veil-a' AND seq = -9");
        List<AuditVerifier.Finding> found = verify().findings();
        assertThat(found.get(0).problem()).isEqualTo(AuditVerifier.Problem.REORDERED);
        assertThat(found.get(0).line()).isEqualTo(9);
        assertThat(found.get(0).message()).contains("record seq 9 belongs before this one but appears at stream veil-a seq 10");
        // The seq columns no longer match the records they hold.
        assertThat(found).extracting(AuditVerifier.Finding::problem).contains(AuditVerifier.Problem.COLUMNS_EDITED);
    }

    @Test
    void anEditedSearchColumnHidesARowFromSearchAndVerifyNamesIt() throws Exception {
        writeEvidence();
        AuditSource source = auditTable().stream("veil-a");
        AuditQuery bob = new AuditQuery("bob", null, null, null, null, null, null, null, 100);
        assertThat(new AuditSearch(source).find(bob)).hasSize(3);
        sql("UPDATE $t SET identity = 'nobody' WHERE stream = 'veil-a' AND line LIKE '%DELETE FROM orders%'");
        // The identity filter runs in SQL, so the row drops out of the search…
        assertThat(new AuditSearch(source).find(bob)).hasSize(2);
        // …and verify says which row and which column.
        assertThat(verify().findings()).singleElement().satisfies(f -> {
            assertThat(f.problem()).isEqualTo(AuditVerifier.Problem.COLUMNS_EDITED);
            assertThat(f.message()).contains("identity nobody (the record says bob)");
        });
    }

    @Test
    void verifyFindsRowsCutFromTheStartUnlessPruningIsAllowed() throws Exception {
        writeChain("veil-a");
        sql("DELETE FROM $t WHERE stream = 'veil-a' AND seq < 5");
        assertThat(verify().findings()).singleElement().satisfies(f -> assertThat(f.problem()).isEqualTo(AuditVerifier.Problem.PRUNED));
        assertThat(verifier.verify(auditTable().stream("veil-a"), List.of(), true).findings()).isEmpty();
    }

    @Test
    void streamsOfASharedTableAreListedAndVerifiedEachOnItsOwn() throws Exception {
        writeChain("veil-a");
        writeChain("veil-b");
        List<AuditTable.Stream> streams = auditTable().streams();
        assertThat(streams).extracting(AuditTable.Stream::name).containsExactly("veil-a", "veil-b");
        assertThat(streams).allSatisfy(s -> {
            assertThat(s.firstSeq()).isEqualTo(1);
            assertThat(s.records()).isEqualTo(s.lastSeq()).isGreaterThan(40);
        });
        sql("DELETE FROM $t WHERE stream = 'veil-b' AND seq = 3");
        assertThat(verify().findings()).isEmpty();
        assertThat(verifier.verify(auditTable().stream("veil-b"), List.of(), false).findings()).singleElement()
                .satisfies(f -> assertThat(f.toString()).startsWith("stream veil-b seq 4: deleted"));
    }
}
