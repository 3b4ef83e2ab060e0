package dev.veil.session;

import dev.veil.analysis.AnalysisCache;
import dev.veil.analysis.Dialect;
import dev.veil.analysis.NameResolution;
import dev.veil.analysis.ShopCatalog;
import dev.veil.analysis.StatementAnalyzer;
import dev.veil.analysis.catalog.CatalogSnapshot;
import dev.veil.analysis.catalog.ColumnInfo;
import dev.veil.analysis.catalog.RelationInfo;
import dev.veil.audit.AuditLine;
import dev.veil.audit.AuditLog;
import dev.veil.audit.AuditSink;
import dev.veil.classification.CatalogTags;
import dev.veil.classification.ColumnClassification;
import dev.veil.classification.ColumnClassifier;
import dev.veil.classification.ColumnFacts;
import dev.veil.config.EndpointTlsMode;
import dev.veil.identity.Identity;
import dev.veil.identity.LoginThrottle;
import dev.veil.policy.PolicyEngine;
import dev.veil.policy.PolicyParser;
import dev.veil.policy.SessionFacts;
import dev.veil.testing.MutableClock;
import dev.veil.testing.TestConfig;
import dev.veil.upstream.UpstreamSettings;
import dev.veil.upstream.catalog.CatalogRegistry;
import dev.veil.upstream.catalog.LoadedCatalog;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pipeline under a mask rule, with the real analysis, policy engine and audit log: the ticket carries the
 * statement's masking plan, the record lists the masked columns and probes, and the probing budget stops the
 * identity's probes past it until the hour ends.
 */
class MaskedStatementsPipelineTest {
    private static final String POLICY = """
            roles:
              analyst:
                local-accounts: [ann]
            rules:
              - name: analysts-masked
                when: '"analyst" in identity.roles'
                outcome: mask
                mask:
                  - {tag: email, masker: email}
                  - {tag: person_name, masker: pseudonym, filter: equality}
            masking:
              probing-budget: 2
            """;

    @TempDir
    Path tmp;

    private final Vertx vertx = Vertx.vertx();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-06T10:15:00Z"));
    private final List<String> records = Collections.synchronizedList(new ArrayList<>());
    private AuditLog log;

    @AfterEach
    void stop() {
        if (log != null) {
            log.stop();
        }
        vertx.close();
    }

    @Test
    void aMaskedResultsColumnsAreInTheTicketAndTheRecord() throws Exception {
        StatementPipeline pipeline = pipeline();
        Ticket.Run run = (Ticket.Run) submit(pipeline, "SELECT id, email FROM customers");
        assertThat(run.masking().columns()).extracting(c -> c.index()).containsExactly(1);
        assertThat(run.masking().resultColumns()).isEqualTo(2);
        assertThat(lastDecided()).contains("\"masks\":[{\"outputColumn\":1,\"columnLabel\":\"email\",\"tag\":\"email\","
                + "\"masker\":\"email\",\"tags\":[\"email\"],\"origins\":[\"public.customers.email\"]}]")
                .doesNotContain("probes");
    }

    @Test
    void probesPastTheBudgetAreRefusedAndRecordedUntilTheHourEnds() throws Exception {
        StatementPipeline pipeline = pipeline();
        String probe = "SELECT id FROM customers WHERE full_name = 'Ann Lee'";
        for (int i = 0; i < 2; i++) {
            Ticket.Run run = (Ticket.Run) submit(pipeline, probe);
            assertThat(run.masking().probes()).containsExactly("public.customers.full_name");
            assertThat(lastDecided()).contains("\"probes\":[\"public.customers.full_name\"]");
        }
        assertThat(submit(pipeline, "SELECT id, email FROM customers")).as("no probe, no charge").isInstanceOf(Ticket.Run.class);
        Ticket.Refuse refused = (Ticket.Refuse) submit(pipeline, probe);
        assertThat(refused.error().getMessage()).contains("masking probing budget: \"ann\" has run the 2 statements per hour")
                .contains("resets at 2026-12-06T11:00:00Z");
        assertThat(lastDecided()).contains("\"verdict\":\"deny\",\"rule\":\"masking.probing-budget\"");
        clock.advance(Duration.ofMinutes(45));
        assertThat(submit(pipeline, probe)).isInstanceOf(Ticket.Run.class);
    }

    private String lastDecided() throws Exception {
        for (int i = 0; i < 100; i++) {
            synchronized (records) {
                for (int j = records.size() - 1; j >= 0; j--) {
                    if (records.get(j).contains("statement.decided")) {
                        return records.get(j);
                    }
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no statement.decided record in " + records);
    }

    private Ticket submit(StatementPipeline pipeline, String sql) throws Exception {
        records.clear();
        Future<Ticket> ticket = onLoop(() -> pipeline.submit(new Statement(Dialect.POSTGRESQL, sql, null, null, false)));
        return ticket.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private StatementPipeline pipeline() throws Exception {
        var config = TestConfig.veil(Map.of("veil.audit.file.directory", tmp.resolve("audit").toString()));
        log = new AuditLog(config, clock, vertx, new SimpleMeterRegistry());
        log.start(List.of(new Capture()));
        SessionAuditor auditor = new SessionAuditor(log, config, clock, new SimpleMeterRegistry(), null, null,
                new LoginThrottle(LoginThrottle.Limits.OFF, clock, vertx, null));
        Identity ann = new Identity("ann", List.of(), Identity.Source.LOCAL_ACCOUNT);
        Session session = new Session(1, ann, "prod", "127.0.0.1", false, "main", "shop", clock.instant());
        SessionAudit audit = onLoop(() -> auditor.sessionStarted(session, "postgresql", "psql", true));
        PolicyEngine policy = PolicyEngine.builtIn(clock);
        policy.install(PolicyParser.parse(POLICY, "policy.yaml", "prod"));
        StatementAnalysis analysis = new StatementAnalysis(new AnalysisCache(new StatementAnalyzer(), 100),
                new ShopCatalogs(vertx, config), vertx, new SimpleMeterRegistry());
        UpstreamSettings upstream = new UpstreamSettings("main", "postgresql", "127.0.0.1", 5432, "shop", "veil", null,
                new UpstreamSettings.TlsSettings(EndpointTlsMode.DISABLE, null),
                new UpstreamSettings.PoolSettings(0, 1, Duration.ofMinutes(1), Duration.ofSeconds(1),
                        Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofMinutes(1)));
        return new StatementPipeline(analysis, policy, audit, null, upstream, Dialect.POSTGRESQL, "shop",
                new SessionFacts(ann, "127.0.0.1", "psql"), new ProbingBudget(clock));
    }

    private <T> T onLoop(Callable<T> task) throws Exception {
        CompletableFuture<T> out = new CompletableFuture<>();
        vertx.getOrCreateContext().runOnContext(v -> {
            try {
                out.complete(task.call());
            } catch (Exception e) {
                out.completeExceptionally(e);
            }
        });
        return out.get(10, TimeUnit.SECONDS);
    }

    /** The shop catalog, tagged by names and types as a catalog load does, for every upstream and database. */
    private static final class ShopCatalogs extends CatalogRegistry {
        private final LoadedCatalog shop;

        ShopCatalogs(Vertx vertx, dev.veil.config.VeilConfig config) {
            super(vertx, config, new SimpleMeterRegistry());
            CatalogSnapshot s = ShopCatalog.postgres();
            Map<List<String>, ColumnClassification> tags = new LinkedHashMap<>();
            for (RelationInfo r : s.userRelations()) {
                for (ColumnInfo c : r.columns()) {
                    tags.put(List.of(r.schema(), r.name(), c.name()),
                            ColumnClassifier.classify(new ColumnFacts(c.name(), c.type(), c.comment())));
                }
            }
            shop = new LoadedCatalog(s.withTags(CatalogTags.of(tags), s.version() + 1), NameResolution.postgres("shop"));
        }

        @Override
        public Future<LoadedCatalog> catalog(UpstreamSettings upstream, String database) {
            return Future.succeededFuture(shop);
        }
    }

    /** Keeps the text of every record written. */
    private final class Capture implements AuditSink {
        public String name() {
            return "capture";
        }

        public Optional<Head> open() {
            return Optional.empty();
        }

        public void write(List<AuditLine> batch) {
            batch.forEach(l -> records.add(l.text()));
        }

        public void sync() {
        }

        public void close() {
        }
    }
}
