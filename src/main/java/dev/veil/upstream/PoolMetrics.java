package dev.veil.upstream;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

import java.util.ArrayList;
import java.util.List;

/** The gauges and counters of one pool, tagged with its upstream, database and database user; removed with the pool. */
final class PoolMetrics {
    private PoolMetrics() {
    }

    /** {@code profile}: the MySQL client profile of the pool, empty for PostgreSQL. Returns the meters, to remove them. */
    static List<Meter> register(MeterRegistry registry, UpstreamPool<?> pool, String profile) {
        Tags tags = Tags.of("upstream", pool.upstream().name(), "database", String.valueOf(pool.database()), "profile", profile,
                "user", pool.login().user());
        List<Meter> meters = new ArrayList<>(List.of(
                Gauge.builder("veil.upstream.pool.size", pool, p -> p.stats().total()).tags(tags)
                        .description("Server connections open (idle and in use)").register(registry),
                Gauge.builder("veil.upstream.pool.in.use", pool, p -> p.stats().inUse()).tags(tags)
                        .description("Server connections leased to sessions or being reset").register(registry),
                Gauge.builder("veil.upstream.pool.idle", pool, p -> p.stats().idle()).tags(tags)
                        .description("Idle server connections").register(registry),
                Gauge.builder("veil.upstream.pool.pending", pool, p -> p.stats().waiting()).tags(tags)
                        .description("Sessions waiting for a connection now").register(registry),
                FunctionCounter.builder("veil.upstream.pool.waits", pool, UpstreamPool::waits).tags(tags)
                        .description("Acquisitions that had to wait for a connection").register(registry),
                FunctionCounter.builder("veil.upstream.pool.errors", pool, UpstreamPool::errors).tags(tags)
                        .description("Connections that could not be opened, and waits that timed out").register(registry)));
        if (pool.upstream().pool().transactionPooling()) {
            for (PinReason reason : PinReason.values()) {
                meters.add(FunctionCounter.builder("veil.upstream.pool.pinned", pool, p -> p.pins(reason))
                        .tags(tags.and("reason", reason.label()))
                        .description("Sessions pinned to their server connection under transaction pooling, by reason")
                        .register(registry));
            }
        }
        return meters;
    }
}
