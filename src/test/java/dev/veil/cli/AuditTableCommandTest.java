package dev.veil.cli;

import dev.veil.audit.AuditChainFixture;
import dev.veil.config.VeilConfig;
import dev.veil.demo.DemoPostgres;
import dev.veil.testing.TestConfig;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code veil audit verify|search|report|streams} over the audit table of a real PostgreSQL. */
@Tag("servers")
class AuditTableCommandTest {
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private static final AtomicInteger TABLES = new AtomicInteger();
    private static DemoPostgres postgres;
    private static Vertx vertx;

    @TempDir
    Path work;

    private final String table = "cli_audit_" + TABLES.incrementAndGet();

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

    private void write(String stream) throws Exception {
        PgConnectOptions pg = new PgConnectOptions().setHost(postgres.host()).setPort(postgres.port()).setDatabase("postgres")
                .setUser(postgres.user()).setPassword("").setSslMode(SslMode.DISABLE);
        Clock clock = AuditChainFixture.ticking();
        AuditChainFixture.write(AuditChainFixture.fileAndTable(null, vertx, pg, table, stream, clock), clock, AuditChainFixture.evidence(T0));
    }

    /** A Veil configured with only the table sink (password from a file, as operators are told to). */
    private VeilConfig config(String stream, String user) throws Exception {
        Path password = work.resolve("audit-db-password");
        Files.writeString(password, "unused-under-trust\n");
        Map<String, String> p = new HashMap<>();
        p.put("veil.audit.file.enabled", "false");
        p.put("veil.audit.file.directory", work.resolve("no-files").toString());
        p.put("veil.audit.postgres.enabled", "true");
        p.put("veil.audit.postgres.host", postgres.host());
        p.put("veil.audit.postgres.port", String.valueOf(postgres.port()));
        p.put("veil.audit.postgres.database", "postgres");
        p.put("veil.audit.postgres.user", user);
        p.put("veil.audit.postgres.password-file", password.toString());
        p.put("veil.audit.postgres.table", table);
        p.put("veil.audit.postgres.tls.mode", "disable");
        if (stream != null) {
            p.put("veil.audit.postgres.stream", stream);
        }
        return TestConfig.veil(p);
    }

    private record Run(int exit, String out, String err) {
    }

    private static Run run(Callable<Integer> command, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(command);
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private void sql(String statement) throws Exception {
        try (Connection c = postgres.connect("postgres"); Statement st = c.createStatement()) {
            st.executeUpdate(statement.replace("$t", table));
        }
    }

    @Test
    void verifyReadsTheTableWhenItIsTheOnlyConfiguredSink() throws Exception {
        write("veil-a");
        Run r = run(new AuditVerifyCommand(config("veil-a", postgres.user())));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("table " + table + " at " + postgres.host() + ":" + postgres.port() + "/postgres stream veil-a: ")
                .containsPattern("\\d+ records, seq 1\\.\\.\\d+, last hash [0-9a-f]{64}: OK");
    }

    @Test
    void verifyReportsTheFirstBrokenRowWithItsSeq() throws Exception {
        write("veil-a");
        sql("DELETE FROM $t WHERE stream = 'veil-a' AND seq = 5");
        Run r = run(new AuditVerifyCommand(config("veil-a", postgres.user())), "--postgres");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out().lines().findFirst().orElseThrow()).startsWith("stream veil-a seq 6: deleted: record seq 5 is missing");
        assertThat(r.out()).contains(": 1 problem(s)");
    }

    @Test
    void listsTheStreamsWhenSeveralExistAndNoneIsChosen() throws Exception {
        write("veil-a");
        write("veil-b");
        VeilConfig noStream = config(null, postgres.user());
        Run ambiguous = run(new AuditVerifyCommand(noStream));
        assertThat(ambiguous.exit()).isEqualTo(2);
        assertThat(ambiguous.err()).contains("holds 2 streams").contains("--stream").contains("veil-a").contains("veil-b");
        assertThat(run(new AuditVerifyCommand(noStream), "--stream", "veil-b").exit()).isZero();
        Run streams = run(new AuditStreamsCommand(noStream));
        assertThat(streams.exit()).isZero();
        assertThat(streams.out()).contains("2 stream(s)").containsPattern("veil-a\\s+\\d+\\s+1\\.\\.").containsPattern("veil-b\\s+\\d+\\s+1\\.\\.");
        Run unknown = run(new AuditVerifyCommand(noStream), "--stream", "veil-c");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("no audit records in").contains("stream veil-c");
    }

    @Test
    void searchesAndReportsOverTheTable() throws Exception {
        write("veil-a");
        VeilConfig cfg = config("veil-a", postgres.user());
        Run search = run(new AuditSearchCommand(cfg), "--postgres", "--identity", "bob", "--from", "2026-03-01", "--to", "2026-03-02");
        assertThat(search.exit()).as(search.err()).isZero();
        assertThat(search.out().lines().toList()).hasSize(3).allSatisfy(l -> assertThat(l).contains("\"identityName\":\"bob\""));
        assertThat(search.err()).contains("3 record(s)");
        Path out = work.resolve("evidence");
        Run report = run(new AuditReportCommand(cfg), "--from", "2026-03-01T10:00:00Z", "--to", "2026-03-01T11:00:00Z", "--out", out.toString());
        assertThat(report.exit()).as(report.err()).isZero();
        assertThat(report.out()).contains("records from 2026-03-01T10:00:00Z").contains("stream veil-a");
        assertThat(Files.readString(out.resolve("refusals.csv"))).contains("no-unbounded-delete");
        assertThat(Files.readString(out.resolve("sign-in-failures.csv"))).contains("eve");
    }

    @Test
    void searchPrintsNewestFirstUnlessAskedForOldestFirstAndPagesBySeq() throws Exception {
        write("veil-a");
        VeilConfig cfg = config("veil-a", postgres.user());
        List<Long> newest = AuditSearchCommandTest.seqs(run(new AuditSearchCommand(cfg), "--postgres", "--limit", "4").out());
        long last = newest.get(0);
        assertThat(newest).containsExactly(last, last - 1, last - 2, last - 3);
        assertThat(AuditSearchCommandTest.seqs(run(new AuditSearchCommand(cfg), "--postgres", "--limit", "4", "--before-seq",
                String.valueOf(last - 3)).out())).containsExactly(last - 4, last - 5, last - 6, last - 7);
        assertThat(AuditSearchCommandTest.seqs(run(new AuditSearchCommand(cfg), "--postgres", "--oldest-first", "--limit", "3").out()))
                .containsExactly(1L, 2L, 3L);
        assertThat(AuditSearchCommandTest.seqs(run(new AuditSearchCommand(cfg), "--postgres", "--oldest-first", "--limit", "2",
                "--after-seq", "3").out())).containsExactly(4L, 5L);
    }

    @Test
    void aJdbcUrlsOwnParametersWinOverTheConfiguredConnection() throws Exception {
        write("veil-a");
        // The configured role does not exist; the URL names one that does.
        VeilConfig cfg = config("veil-a", "no_such_role");
        Run configured = run(new AuditVerifyCommand(cfg));
        assertThat(configured.exit()).isEqualTo(2);
        assertThat(configured.err()).contains("no_such_role");
        String url = "jdbc:postgresql://" + postgres.host() + ":" + postgres.port() + "/postgres?sslmode=disable&user=" + postgres.user();
        Run r = run(new AuditVerifyCommand(cfg), "--pg-url", url, "--stream", "veil-a");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains(": OK");
    }

    @Test
    void aMissingTableIsNamedInsteadOfAStackTrace() throws Exception {
        Run r = run(new AuditSearchCommand(config("veil-a", postgres.user())), "--table", "no_such_audit");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("table no_such_audit").contains("does not exist").doesNotContain("at org.postgresql");
    }

    @Test
    void dirCannotBeCombinedWithTheTableOptions() throws Exception {
        Run r = run(new AuditVerifyCommand(config("veil-a", postgres.user())), "--dir", work.toString(), "--postgres");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--dir reads files");
    }
}
