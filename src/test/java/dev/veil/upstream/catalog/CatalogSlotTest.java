package dev.veil.upstream.catalog;

import dev.veil.analysis.Dialect;
import dev.veil.analysis.NameResolution;
import dev.veil.analysis.catalog.CatalogSnapshot;
import dev.veil.analysis.catalog.RoutineInfo;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The slot's bookkeeping, with loads the test completes by hand: statements keep the snapshot in use while
 * a refresh runs or fails, and a refresh asked for during a load is not lost.
 */
class CatalogSlotTest {
    /** A hang guard for awaiting timers and futures, not a performance threshold. */
    private static final long GUARD_SECONDS = 30;

    private final Vertx vertx = Vertx.vertx();
    /** Each load the slot starts, in order: the test completes it. */
    private final BlockingQueue<Promise<LoadedCatalog>> loads = new LinkedBlockingQueue<>();

    @AfterEach
    void close() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    private CatalogSlot slot(Duration loadTimeout, Duration firstRetry) {
        return new CatalogSlot("main", "shop", vertx, () -> {
            Promise<LoadedCatalog> p = Promise.promise();
            loads.add(p);
            return p.future();
        }, loadTimeout, firstRetry, Duration.ofHours(1));
    }

    private static LoadedCatalog catalog(long version) {
        return new LoadedCatalog(CatalogSnapshot.builder(Dialect.POSTGRESQL, "shop").version(version).build(),
                NameResolution.postgres("shop"));
    }

    private Promise<LoadedCatalog> nextLoad() throws InterruptedException {
        Promise<LoadedCatalog> p = loads.poll(GUARD_SECONDS, TimeUnit.SECONDS);
        assertThat(p).as("a load started").isNotNull();
        return p;
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(GUARD_SECONDS, TimeUnit.SECONDS);
    }

    private static long version(Future<LoadedCatalog> f) {
        assertThat(f.succeeded()).as("the snapshot is handed out at once").isTrue();
        return f.result().snapshot().version();
    }

    @Test
    void aRefreshInFlightNeverHoldsUpTheSnapshotInUse() throws Exception {
        CatalogSlot slot = slot(Duration.ofHours(1), Duration.ofHours(1));
        Future<LoadedCatalog> first = slot.get();
        nextLoad().complete(catalog(1));
        assertThat(await(first).snapshot().version()).isEqualTo(1);

        Future<Void> refreshed = slot.reload();
        Promise<LoadedCatalog> refresh = nextLoad();
        assertThat(version(slot.get())).isEqualTo(1);
        assertThat(slot.status().stale()).isTrue();

        refresh.complete(catalog(2));
        await(refreshed);
        assertThat(version(slot.get())).isEqualTo(2);
        assertThat(slot.status().stale()).isFalse();
    }

    @Test
    void aFailedRefreshKeepsThePreviousSnapshotReportsItStaleAndIsRetried() throws Exception {
        CatalogSlot slot = slot(Duration.ofHours(1), Duration.ofMillis(10));
        slot.get();
        nextLoad().complete(catalog(1));

        Future<Void> refreshed = slot.reload();
        nextLoad().fail("canceling statement due to lock timeout");
        await(refreshed); // completes, never fails: whoever waits goes on with the previous snapshot
        assertThat(version(slot.get())).isEqualTo(1);
        assertThat(slot.status().stale()).isTrue();
        assertThat(slot.status().problem()).contains("lock timeout");
        assertThat(slot.staleGauge()).isEqualTo(1.0);

        nextLoad().complete(catalog(2)); // the background retry
        Future<LoadedCatalog> now = slot.get();
        for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(GUARD_SECONDS);
             version(now) != 2 && System.nanoTime() < deadline; now = slot.get()) {
            Thread.sleep(10);
        }
        assertThat(version(now)).isEqualTo(2);
        assertThat(slot.status().stale()).isFalse();
        assertThat(slot.status().problem()).isNull();
    }

    @Test
    void aFirstLoadThatNeverAnswersEndsAndIsNotRetriedByEveryStatement() throws Exception {
        CatalogSlot slot = slot(Duration.ofMillis(50), Duration.ofHours(1));
        Future<LoadedCatalog> first = slot.get();
        nextLoad(); // never completed: the server does not answer
        assertThat(first.toCompletionStage().toCompletableFuture())
                .failsWithin(Duration.ofSeconds(GUARD_SECONDS)).withThrowableThat().withMessageContaining("not read within");

        Future<LoadedCatalog> next = slot.get();
        assertThat(next.failed()).as("no snapshot: analysed without one at once").isTrue();
        assertThat(next.cause()).hasMessageContaining("not read yet");
        assertThat(loads).as("no new load before the retry delay").isEmpty();
        assertThat(slot.status().loaded()).isFalse();
        assertThat(slot.status().stale()).isTrue();
    }

    @Test
    void aRefreshAskedForDuringALoadRunsAgainAfterIt() throws Exception {
        CatalogSlot slot = slot(Duration.ofHours(1), Duration.ofHours(1));
        slot.get();
        nextLoad().complete(catalog(1));

        slot.reload();
        Promise<LoadedCatalog> running = nextLoad();
        // DDL committed while that load was running: it may not have seen the change.
        Future<Void> mine = slot.reload();
        running.complete(catalog(2));
        assertThat(mine.isComplete()).as("waits for a load started after it was asked for").isFalse();
        assertThat(slot.status().stale()).isTrue();

        nextLoad().complete(catalog(3));
        await(mine);
        assertThat(version(slot.get())).isEqualTo(3);
        assertThat(slot.status().stale()).isFalse();
    }

    @Test
    void ddlInAnOpenTransactionMarksTheSnapshotStaleUntilAReadAfterIt() throws Exception {
        CatalogSlot slot = slot(Duration.ofHours(1), Duration.ofHours(1));
        slot.get();
        nextLoad().complete(catalog(1));

        slot.changed();
        assertThat(slot.status().stale()).isTrue();
        assertThat(loads).as("nothing is read while the transaction is open").isEmpty();
        assertThat(version(slot.get())).isEqualTo(1);

        Future<Void> refreshed = slot.reload();
        nextLoad().complete(catalog(2));
        await(refreshed);
        assertThat(slot.status().stale()).isFalse();
    }

    @Test
    void functionsAreReadOnceOnFirstUseAndAgainAfterTheCatalogIsRead() throws Exception {
        CatalogSlot slot = slot(Duration.ofHours(1), Duration.ofHours(1));
        Future<LoadedCatalog> first = slot.get();
        nextLoad().complete(catalog(1));
        await(first);
        AtomicInteger reads = new AtomicInteger();
        Supplier<Future<Map<Long, RoutineInfo>>> reader = () -> Future.succeededFuture(
                Map.of(955L, new RoutineInfo(955, "pg_catalog", "lowrite" + reads.incrementAndGet(), false)));

        assertThat(await(slot.routines(reader)).get(955L).name()).isEqualTo("lowrite1");
        assertThat(await(slot.routines(reader)).get(955L).name()).as("kept for the snapshot in use").isEqualTo("lowrite1");

        Future<Void> refreshed = slot.reload();
        assertThat(await(slot.routines(reader)).get(955L).name()).as("a load in flight changes nothing yet")
                .isEqualTo("lowrite1");
        nextLoad().complete(catalog(2));
        await(refreshed);
        assertThat(await(slot.routines(reader)).get(955L).name()).as("read again with the new catalog")
                .isEqualTo("lowrite2");
    }

    @Test
    void aFailedReadOfTheFunctionsIsTriedAgainByTheNextCall() throws Exception {
        CatalogSlot slot = slot(Duration.ofHours(1), Duration.ofHours(1));
        AtomicInteger reads = new AtomicInteger();
        Supplier<Future<Map<Long, RoutineInfo>>> reader = () -> reads.incrementAndGet() == 1
                ? Future.failedFuture("connection refused") : Future.succeededFuture(Map.of());

        assertThat(slot.routines(reader).failed()).isTrue();
        assertThat(await(slot.routines(reader))).isEmpty();
        assertThat(reads).hasValue(2);
        assertThat(await(slot.routines(reader))).isEmpty();
        assertThat(reads).as("a successful read is kept").hasValue(2);
    }

    @Test
    void aReadOfTheFunctionsThatNeverAnswersEndsAndIsTriedAgain() throws Exception {
        CatalogSlot slot = slot(Duration.ofMillis(50), Duration.ofHours(1));
        AtomicInteger reads = new AtomicInteger();
        Supplier<Future<Map<Long, RoutineInfo>>> reader = () -> reads.incrementAndGet() == 1
                ? Promise.<Map<Long, RoutineInfo>>promise().future() : Future.succeededFuture(Map.of());

        Future<Map<Long, RoutineInfo>> hanging = slot.routines(reader);
        assertThatThrownBy(() -> await(hanging)).hasRootCauseInstanceOf(TimeoutException.class)
                .rootCause().hasMessageContaining("functions not read within 50 ms");
        assertThat(await(slot.routines(reader))).isEmpty();
        assertThat(reads).hasValue(2);
    }
}
