package dev.veil.upstream.catalog;

import dev.veil.config.PgClientTls;
import dev.veil.config.VeilConfig;
import dev.veil.upstream.UpstreamSettings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.pgclient.PgConnectOptions;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The catalog snapshot of each (upstream, database), loaded on first use and kept until {@link #invalidate}
 * (DDL seen by Veil, a periodic refresh: to be wired by the session pipeline). Each load gets a new version, so
 * cached analyses of the old catalog are never reused. A failed load is not kept.
 */
@ApplicationScoped
public class CatalogRegistry {
    private final PgCatalogLoader postgres;
    private final MySqlCatalogLoader mysql;
    private final Map<List<String>, Future<LoadedCatalog>> catalogs = new ConcurrentHashMap<>();
    private final AtomicLong versions = new AtomicLong();

    public CatalogRegistry(Vertx vertx, VeilConfig config) {
        this.postgres = new PgCatalogLoader(vertx);
        this.mysql = new MySqlCatalogLoader(vertx);
        // Periodic refresh: the next statement after it loads a new snapshot (a new version: no stale cache hits).
        long every = config.analysis().catalogRefresh().toMillis();
        if (every > 0) {
            vertx.setPeriodic(every, id -> catalogs.clear());
        }
    }

    public Future<LoadedCatalog> catalog(UpstreamSettings upstream, String database) {
        List<String> key = List.of(upstream.name(), database);
        return catalogs.computeIfAbsent(key, k -> load(upstream, database).onFailure(e -> catalogs.remove(k)));
    }

    public void invalidate(String upstream) {
        catalogs.keySet().removeIf(k -> k.get(0).equals(upstream));
    }

    private Future<LoadedCatalog> load(UpstreamSettings u, String database) {
        long version = versions.incrementAndGet();
        if (u.kind().equalsIgnoreCase("postgresql")) {
            PgConnectOptions o = new PgConnectOptions().setHost(u.host()).setPort(u.port()).setDatabase(database)
                    .setUser(u.user()).setPassword(u.password() == null ? "" : u.password());
            if (u.tls() != null) {
                PgClientTls.apply(o, u.tls().mode(), u.tls().caFile());
            }
            return postgres.load(o, version);
        }
        MySQLConnectOptions o = new MySQLConnectOptions().setHost(u.host()).setPort(u.port()).setDatabase(database)
                .setUser(u.user()).setPassword(u.password() == null ? "" : u.password());
        return mysql.load(o, version);
    }
}
