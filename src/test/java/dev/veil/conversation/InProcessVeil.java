package dev.veil.conversation;

import dev.veil.analysis.AnalysisCache;
import dev.veil.analysis.Dialect;
import dev.veil.analysis.NameResolution;
import dev.veil.analysis.StatementAnalyzer;
import dev.veil.analysis.catalog.CatalogSnapshot;
import dev.veil.analysis.catalog.ColumnInfo;
import dev.veil.audit.AuditLog;
import dev.veil.config.Listener;
import dev.veil.config.ListenerTlsMode;
import dev.veil.config.VeilConfig;
import dev.veil.error.ErrorCode;
import dev.veil.frontend.ServerCertificate;
import dev.veil.frontend.WireEngine;
import dev.veil.frontend.WireListener;
import dev.veil.frontend.mysql.MySqlEngine;
import dev.veil.frontend.EngineContext;
import dev.veil.frontend.pg.PgEngine;
import dev.veil.identity.Authenticator;
import dev.veil.identity.LocalAccounts;
import dev.veil.identity.LoginThrottle;
import dev.veil.identity.oidc.OidcProviders;
import dev.veil.masking.MaskFunctions;
import dev.veil.policy.Decision;
import dev.veil.policy.MaskingPlan;
import dev.veil.policy.Mode;
import dev.veil.policy.PolicyEngine;
import dev.veil.policy.RowCeiling;
import dev.veil.policy.Rule;
import dev.veil.session.GatewayStatus;
import dev.veil.session.SessionAuditor;
import dev.veil.session.SessionOpener;
import dev.veil.session.SessionRegistry;
import dev.veil.session.StatementAnalysis;
import dev.veil.session.StatementPipelines;
import dev.veil.testing.TestConfig;
import dev.veil.upstream.UpstreamPool;
import dev.veil.upstream.UpstreamRegistry;
import dev.veil.upstream.UpstreamRouter;
import dev.veil.upstream.UpstreamSettings;
import dev.veil.upstream.catalog.CatalogRegistry;
import dev.veil.upstream.catalog.LoadedCatalog;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.io.IOException;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The real Veil front end, built in plain Java: both wire engines with their real connections and flows, the
 * statement pipeline and policy engine, the audit log and writer (into a {@link ControlledAuditSink}), the
 * upstream registry, pools and router, pointed at one {@link ScriptedUpstream}. No Quarkus, no database server.
 *
 * <p>This is the one place where the kit constructs Veil's objects: when their constructors change, only this
 * class changes. Differences from production, each for a reason: the policy engine has two extra test rules
 * ({@link #REFUSE_RULE}: PostgreSQL has no built-in rule that refuses a statement; {@link #CEILING_RULE}: an
 * affected-rows ceiling without a policy file); the catalog registry
 * serves a fixed snapshot instead of reading the upstream's catalog (the scripted server does not answer
 * catalog queries); the listener binds a free loopback port, with TLS only when a test turns it on.
 */
final class InProcessVeil implements AutoCloseable {
    static final String USER = "alice";
    static final String PASSWORD = "wonderland";
    static final String DATABASE = "app";
    /** The test rule's name and the text it refuses, on both wires. */
    static final String REFUSE_RULE = "test.refuse-marked";
    static final String REFUSE_MARKER = "veil_test_refuse";
    /**
     * Masking plans by marker: a statement whose text contains a key is allowed by the test rule
     * {@link #MASK_RULE} with that plan (the policy file's masking rules make such plans from tags and lineage).
     */
    static final Map<String, MaskingPlan> MASKED = new ConcurrentHashMap<>();
    static final String MASK_RULE = "test.mask-marked";
    /** The pseudonym secret of the kit's mask functions. */
    static final byte[] MASK_SECRET = "conversation-kit-pseudonym-secret".getBytes(StandardCharsets.UTF_8);
    /** Statements naming this run under an enforced affected-rows ceiling of {@link #CEILING_ROWS} (a test rule). */
    static final String CEILING_MARKER = "veil_test_ceiling";
    static final String CEILING_RULE = "test.ceiling";
    static final long CEILING_ROWS = 3;

    private final Vertx vertx;
    private final ScriptedUpstream upstream;
    private final ControlledAuditSink sink = new ControlledAuditSink();
    private final MeterRegistry metrics = new SimpleMeterRegistry();
    private final SessionRegistry sessions = new SessionRegistry();
    private final AuditLog audit;
    private final UpstreamRegistry upstreams;
    private final WireEngine engine;
    private final WireListener listener;
    private final boolean tls;

    private InProcessVeil(Vertx vertx, ScriptedUpstream upstream, Map<String, String> extra) throws IOException {
        this.vertx = vertx;
        this.upstream = upstream;
        VeilConfig config = TestConfig.veil(properties(upstream, extra));
        Clock clock = Clock.systemUTC();
        audit = new AuditLog(config, clock, vertx, metrics);
        audit.start(List.of(sink));
        LocalAccounts accounts = new LocalAccounts(config);
        LoginThrottle throttle = new LoginThrottle(LoginThrottle.Limits.OFF, clock, vertx, null);
        Authenticator authenticator = new Authenticator(accounts, new OidcProviders(config, clock), vertx, config, throttle);
        upstreams = new UpstreamRegistry(vertx, config, metrics);
        UpstreamRouter router = new UpstreamRouter(upstreams);
        CatalogRegistry catalogs = new FixedCatalogs(vertx, config, metrics);
        SessionAuditor auditor = new SessionAuditor(audit, config, clock, metrics, catalogs, null, throttle);
        StatementAnalysis analysis = new StatementAnalysis(new AnalysisCache(new StatementAnalyzer(), 1000), catalogs, vertx, metrics);
        StatementPipelines pipelines = new StatementPipelines(analysis, auditor, policy(), upstreams);
        GatewayStatus status = new GatewayStatus();
        EngineContext context = new EngineContext(authenticator, auditor, new SessionOpener(sessions, pipelines, config, clock),
                upstreams, router, vertx, new MaskFunctions(MASK_SECRET));
        engine = upstream.dialect() == Dialect.POSTGRESQL
                ? new PgEngine(config, context, status)
                : new MySqlEngine(config, context, status);
        Listener settings = upstream.dialect() == Dialect.POSTGRESQL ? config.pg() : config.mysql();
        listener = new WireListener(vertx, status, engine, settings);
        tls = settings.tls().mode() != ListenerTlsMode.OFF;
    }

    /** Veil in front of {@code upstream} (already listening), listening for clients of its dialect. */
    static InProcessVeil start(Vertx vertx, ScriptedUpstream upstream) throws Exception {
        return start(vertx, upstream, Map.of());
    }

    /** As above, with more {@code veil.*} properties. */
    static InProcessVeil start(Vertx vertx, ScriptedUpstream upstream, Map<String, String> extra) throws Exception {
        InProcessVeil veil = new InProcessVeil(vertx, upstream, extra);
        // The real listener: TLS made ready, the engine's work before listening (MySQL learns the server's greeting), the port.
        await(veil.listener.start(veil.tls ? ServerCertificate.selfSigned() : null));
        return veil;
    }

    /** Only the upstream registry Veil would use in front of {@code upstream} (for tests of the server connections alone). */
    static UpstreamRegistry upstreamsOnly(Vertx vertx, ScriptedUpstream upstream) {
        return new UpstreamRegistry(vertx, TestConfig.veil(properties(upstream, Map.of())), new SimpleMeterRegistry());
    }

    private static Map<String, String> properties(ScriptedUpstream upstream, Map<String, String> extra) {
        Map<String, String> p = new HashMap<>();
        p.put("veil.local-accounts." + USER + ".password", PASSWORD);
        p.put("veil.mysql.auth-plugin", "mysql_native_password");
        String prefix = "veil.upstreams." + upstream.name();
        p.put(prefix + ".kind", upstream.dialect() == Dialect.POSTGRESQL ? "postgresql" : "mysql");
        p.put(prefix + ".host", "127.0.0.1");
        p.put(prefix + ".port", Integer.toString(upstream.port()));
        p.put(prefix + ".database", DATABASE);
        p.put(prefix + ".user", "veil");
        p.put(prefix + ".password", "upstream-secret");
        p.put(prefix + ".tls.mode", "disable");
        p.put("veil.analysis.catalog-refresh", "0s");
        p.put("veil.pg.port", "0");
        p.put("veil.mysql.port", "0");
        // TLS only for the tests that ask for it: a certificate and its context cost time at every start.
        p.put("veil.pg.tls.mode", "off");
        p.put("veil.mysql.tls.mode", "off");
        p.putAll(extra);
        return p;
    }

    /** The built-in rules, then the test rule that refuses statements naming {@link #REFUSE_MARKER}. */
    private static PolicyEngine policy() {
        PolicyEngine builtIn = PolicyEngine.builtIn();
        Rule builtIns = facts -> {
            Decision d = builtIn.decide(facts);
            return Decision.NO_POLICY.equals(d.rule()) ? null : d;
        };
        Rule marked = facts -> facts.sql().contains(REFUSE_MARKER) ? new Decision.Deny(REFUSE_RULE,
                ErrorCode.POLICY_DENIED, "statements naming " + REFUSE_MARKER + " are refused (rule "
                + REFUSE_RULE + ", a test rule): run another statement") : null;
        Rule masked = facts -> MASKED.entrySet().stream().filter(e -> facts.sql().contains(e.getKey())).findFirst()
                .map(e -> (Decision) new Decision.Allow(MASK_RULE, e.getValue())).orElse(null);
        Rule ceiling = facts -> facts.sql().contains(CEILING_MARKER) ? new Decision.Allow(CEILING_RULE, MaskingPlan.NONE, null,
                List.of(), new RowCeiling(CEILING_RULE, CEILING_ROWS, Mode.ENFORCE)) : null;
        return new PolicyEngine(List.of(builtIns, marked, masked, ceiling));
    }

    int port() {
        return listener.port();
    }

    WireEngine engine() {
        return engine;
    }

    WireListener listener() {
        return listener;
    }

    ControlledAuditSink audit() {
        return sink;
    }

    SessionRegistry sessions() {
        return sessions;
    }

    /** The pool of server connections the sessions of this test lease from (one upstream, one database). */
    UpstreamPool.PoolStats pool() {
        Map<String, UpstreamPool.PoolStats> all = upstreams.poolStats();
        return all.values().stream().findFirst().orElse(new UpstreamPool.PoolStats(0, 0, 0));
    }

    /** Statements whose answer has fully come back from the upstream (their record completed). */
    long statementsCompleted() {
        Timer t = metrics.find("veil.statement.upstream.time").timer();
        return t == null ? 0 : t.count();
    }

    ScriptedUpstream upstream() {
        return upstream;
    }

    @Override
    public void close() throws Exception {
        try {
            await(listener.stop());
        } finally {
            sink.release(); // a test that failed while holding the fsync
            upstreams.shutdown();
            audit.stop();
        }
    }

    static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /**
     * The catalog of every (upstream, database): one table {@code items(v)}, fixed, never read from the
     * upstream. Snapshots are kept, so analyses are cached as with a real catalog.
     */
    private static final class FixedCatalogs extends CatalogRegistry {
        private final Map<String, LoadedCatalog> snapshots = new ConcurrentHashMap<>();

        FixedCatalogs(Vertx vertx, VeilConfig config, MeterRegistry metrics) {
            super(vertx, config, metrics);
        }

        @Override
        public Future<LoadedCatalog> catalog(UpstreamSettings upstream, String database) {
            return Future.succeededFuture(snapshots.computeIfAbsent(upstream.name() + "/" + database, k -> {
                boolean pg = upstream.dialect() == Dialect.POSTGRESQL;
                CatalogSnapshot snapshot = CatalogSnapshot.builder(upstream.dialect(), database)
                        .table(pg ? "public" : database, "items", new ColumnInfo("v", "varchar", true)).build();
                return new LoadedCatalog(snapshot, pg ? NameResolution.postgres(database) : NameResolution.mysql(database));
            }));
        }

        @Override
        public Future<Void> refresh(String upstream) {
            return Future.succeededFuture();
        }
    }
}
