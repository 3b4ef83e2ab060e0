package dev.veil.upstream.catalog;

import dev.veil.analysis.catalog.RelationInfo;
import dev.veil.analysis.catalog.RoutineInfo;
import dev.veil.config.PgClientTls;
import dev.veil.config.VeilConfig;
import dev.veil.upstream.UpstreamRegistry;
import dev.veil.upstream.UpstreamSettings;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.pgclient.PgConnectOptions;
import jakarta.inject.Singleton;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The catalog snapshot of each (upstream, database), read on first use. A statement never waits for a
 * refresh: it gets the last snapshot read, and only the first load of a database, which ends within
 * {@link #LOAD_TIMEOUT}, is waited for (see {@link CatalogSlot}). After DDL Veil relays, the catalog is marked
 * stale at once ({@link #changed}) and read again when the transaction that ran it has ended ({@link #refresh}):
 * inside it the read would see the old catalog anyway and could wait for the locks that transaction holds.
 * Each load gets a new version, so cached analyses of an older snapshot are never reused. A database no session
 * uses any more (its last pool ended: idle, or the database dropped through Veil) is forgotten, gauges and all.
 */
@Singleton // called for every statement: no client proxy in between
public class CatalogRegistry {
    private static final Logger LOG = Logger.getLogger(CatalogRegistry.class);
    /** A load that takes longer counts as failed; the loaders' own timeouts normally end it well before. */
    static final Duration LOAD_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    private static final Duration MAX_RETRY = Duration.ofMinutes(1);
    private static final int CONNECT_TIMEOUT_MILLIS = 5000;

    private final Vertx vertx;
    private final MeterRegistry metrics;
    private final PgCatalogLoader postgres;
    private final MySqlCatalogLoader mysql;
    private final Map<List<String>, CatalogSlot> slots = new ConcurrentHashMap<>();
    private final Map<CatalogSlot, List<Meter>> gauges = new ConcurrentHashMap<>();
    private final Map<CatalogSlot, Future<Void>> classifying = new ConcurrentHashMap<>();
    private final AtomicLong versions = new AtomicLong();
    private final boolean sampleValues;

    @Inject
    public CatalogRegistry(Vertx vertx, VeilConfig config, MeterRegistry metrics, UpstreamRegistry upstreams) {
        this(vertx, config, metrics);
        upstreams.onDatabaseUnused(this::forget);
    }

    /** Without following the pools: catalogs are kept until shutdown (tests that serve fixed catalogs). */
    public CatalogRegistry(Vertx vertx, VeilConfig config, MeterRegistry metrics) {
        this.vertx = vertx;
        this.metrics = metrics;
        this.postgres = new PgCatalogLoader(vertx);
        this.mysql = new MySqlCatalogLoader(vertx);
        this.sampleValues = config.analysis().sampleValues();
        // Periodic refresh, in the background: changes made around Veil are seen within this time.
        long every = config.analysis().catalogRefresh().toMillis();
        if (every > 0) {
            vertx.setPeriodic(every, id -> slots.values().forEach(CatalogSlot::reload));
        }
    }

    public Future<LoadedCatalog> catalog(UpstreamSettings upstream, String database) {
        return slotOf(upstream, database).get();
    }

    /**
     * The server function a fast-path call names by oid, in this database: empty when it is not there, or for an
     * upstream whose calls name no oid (MySQL). Fails when the functions cannot be read. The database's functions
     * are read on the first call and kept until its catalog is read again.
     */
    public Future<Optional<RoutineInfo>> routine(UpstreamSettings upstream, String database, long oid) {
        if (!isPostgres(upstream)) {
            return Future.succeededFuture(Optional.empty());
        }
        CatalogSlot slot = slotOf(upstream, database);
        return slot.routines(() -> postgres.routines(pgOptions(upstream, database)))
                .map(byOid -> Optional.ofNullable(byOid.get(oid)));
    }

    /**
     * No session uses this database any more: its catalog is not read again (a dropped database's would be
     * retried for ever) and its gauges go. A session that comes back to it waits for a first read again.
     */
    public void forget(String upstream, String database) {
        slots.computeIfPresent(List.of(upstream, database == null ? "" : database), (k, slot) -> {
            classifying.remove(slot);
            List<Meter> meters = gauges.remove(slot);
            if (meters != null) {
                meters.forEach(metrics::remove);
            }
            return null;
        });
    }

    /** DDL ran on this upstream in a transaction still open: its catalogs are stale until {@link #refresh}. */
    public void changed(String upstream) {
        forUpstream(upstream).forEach(CatalogSlot::changed);
    }

    /**
     * Reads this upstream's catalogs again in the background. The future completes, never fails, once loads
     * started after this call have ended (within the load timeout), successfully or not.
     */
    public Future<Void> refresh(String upstream) {
        List<Future<Void>> reloads = forUpstream(upstream).stream().map(CatalogSlot::reload).toList();
        return Future.join(reloads).transform(ar -> Future.succeededFuture());
    }

    /**
     * The catalog of a database once its classification has settled: loaded if need be, then the sampling pass of
     * that load ended (within the sampler's budget), successfully or not. For tools that show the tags
     * ({@code veil catalog}); statements never wait for it.
     */
    public Future<LoadedCatalog> classified(UpstreamSettings upstream, String database) {
        CatalogSlot slot = slotOf(upstream, database);
        return slot.get().compose(loaded -> classifying.getOrDefault(slot, Future.succeededFuture())
                .transform(ar -> Future.succeededFuture(slot.current().orElse(loaded))));
    }

    /** The catalogs read so far, with their tags: what {@code GET /api/v1/catalog} lists. */
    public List<LoadedCatalogEntry> loaded() {
        return slots.entrySet().stream()
                .flatMap(e -> e.getValue().current().stream()
                        .map(c -> new LoadedCatalogEntry(e.getKey().get(0), e.getKey().get(1), c, e.getValue().status())))
                .sorted(Comparator.comparing(LoadedCatalogEntry::upstream).thenComparing(LoadedCatalogEntry::database))
                .toList();
    }

    /** One catalog read: where from, the snapshot with its tags, and its state. */
    public record LoadedCatalogEntry(String upstream, String database, LoadedCatalog catalog, CatalogStatus status) {
    }

    /** Every catalog read or tried so far, for readiness. */
    public List<CatalogStatus> status() {
        return slots.values().stream().map(CatalogSlot::status)
                .sorted(Comparator.comparing(CatalogStatus::upstream).thenComparing(CatalogStatus::database))
                .toList();
    }

    private List<CatalogSlot> forUpstream(String upstream) {
        // MySQL snapshots hold every database of the server: DDL anywhere on the upstream concerns all of them.
        return slots.entrySet().stream().filter(e -> e.getKey().get(0).equals(upstream)).map(Map.Entry::getValue).toList();
    }

    private CatalogSlot slotOf(UpstreamSettings upstream, String database) {
        return slots.computeIfAbsent(List.of(upstream.name(), database), k -> newSlot(upstream, database));
    }

    private CatalogSlot newSlot(UpstreamSettings upstream, String database) {
        CatalogTagger tagger = new CatalogTagger();
        CatalogSlot slot = new CatalogSlot(upstream.name(), database, vertx,
                () -> load(upstream, database).map(tagger::initial), LOAD_TIMEOUT, FIRST_RETRY, MAX_RETRY);
        slot.onLoaded(loaded -> classify(slot, tagger, upstream, database, loaded));
        gauges.put(slot, List.of(Gauge.builder("veil.catalog.stale", slot, CatalogSlot::staleGauge)
                .description("1 while statements are analysed with a catalog snapshot known to be out of date "
                        + "(or none, after a failed read)")
                .tags("upstream", upstream.name(), "database", database).register(metrics),
                Gauge.builder("veil.catalog.age", slot, CatalogSlot::ageGauge).baseUnit("seconds")
                        .description("Time since the catalog snapshot in use was read")
                        .tags("upstream", upstream.name(), "database", database).register(metrics)));
        return slot;
    }

    /**
     * Samples the tables of a snapshot just read whose values were not sampled with their present columns, in the
     * background, then puts the snapshot tagged again in place (a new version). Until then the snapshot keeps the
     * tags it was read with: earlier samples of unchanged tables, names, comments and types for the others.
     */
    private void classify(CatalogSlot slot, CatalogTagger tagger, UpstreamSettings upstream, String database,
                          LoadedCatalog loaded) {
        List<RelationInfo> tables = tagger.toSample(loaded.snapshot());
        if (!sampleValues || tables.isEmpty()) {
            return;
        }
        ColumnSampler sampler = isPostgres(upstream) ? new PgColumnSampler(vertx, pgOptions(upstream, database))
                : new MySqlColumnSampler(vertx, mysqlOptions(upstream, database));
        Future<Void> pass = sampler.sample(tables)
                .onSuccess(values -> slot.retag(loaded, tagger.sampled(loaded, values, versions.incrementAndGet())))
                .onFailure(e -> LOG.infof("values of %s/%s not sampled for classification (%s): tags come from column "
                        + "names, comments and types", upstream.name(), database, e.getMessage()))
                .mapEmpty();
        classifying.put(slot, pass.otherwiseEmpty());
    }

    private Future<LoadedCatalog> load(UpstreamSettings u, String database) {
        long version = versions.incrementAndGet();
        if (isPostgres(u)) {
            return postgres.load(pgOptions(u, database), version);
        }
        return mysql.load(mysqlOptions(u, database), version);
    }

    private static boolean isPostgres(UpstreamSettings u) {
        return u.kind().equalsIgnoreCase("postgresql");
    }

    private static PgConnectOptions pgOptions(UpstreamSettings u, String database) {
        PgConnectOptions o = new PgConnectOptions().setHost(u.host()).setPort(u.port()).setDatabase(database)
                .setUser(u.user()).setPassword(u.password() == null ? "" : u.password());
        o.setConnectTimeout(CONNECT_TIMEOUT_MILLIS);
        if (u.tls() != null) {
            PgClientTls.apply(o, u.tls().mode(), u.tls().caFile());
        }
        return o;
    }

    private static MySQLConnectOptions mysqlOptions(UpstreamSettings u, String database) {
        MySQLConnectOptions o = new MySQLConnectOptions().setHost(u.host()).setPort(u.port()).setDatabase(database)
                .setUser(u.user()).setPassword(u.password() == null ? "" : u.password());
        o.setConnectTimeout(CONNECT_TIMEOUT_MILLIS);
        return o;
    }
}
