package dev.veil.approval.access;

import dev.veil.approval.access.AccessGrant.Status;
import dev.veil.demo.DemoPostgres;
import dev.veil.policy.AccessSection.Requestable;
import dev.veil.testing.MutableClock;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import io.vertx.sqlclient.PoolOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Access requests and grants in a real control-plane PostgreSQL (the embedded server demo mode and the approvals
 * use): approval by other identities only, two-person grants, denial, expiry on Veil's clock, revocation,
 * break-glass, and a control plane that does not answer.
 */
@Tag("servers")
class AccessStoreTest {
    private static final Instant T0 = Instant.parse("2026-05-01T09:00:00Z");
    private static final AtomicInteger TABLES = new AtomicInteger();
    private static final Requestable ADMIN = new Requestable("admin", List.of("engineer"), List.of("admin"), 1,
            Duration.ofHours(4), List.of("engineer"));
    private static final Requestable ADMIN_BY_TWO = new Requestable("admin", List.of("engineer"), List.of("admin"), 2,
            Duration.ofHours(4), List.of());
    private static DemoPostgres postgres;
    private static Vertx vertx;

    private final MutableClock clock = new MutableClock(T0);
    private final List<AccessGrant> brokeGlass = new CopyOnWriteArrayList<>();
    private final AccessStore store = new AccessStore(PgBuilder.pool().with(new PoolOptions().setMaxSize(2))
            .connectingTo(new PgConnectOptions().setHost(postgres.host()).setPort(postgres.port()).setDatabase("postgres")
                    .setUser(postgres.user()).setPassword("").setSslMode(SslMode.DISABLE))
            .using(vertx).build(), "access_test_" + TABLES.incrementAndGet());
    private final Access access = new Access(store, vertx, clock, "prod", Duration.ofHours(24), Duration.ofSeconds(2),
            Duration.ofSeconds(5), brokeGlass::add);

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

    @AfterEach
    void closePool() {
        store.close();
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private AccessStore.Changed vote(String id, String who, Set<String> roles, boolean approve) throws Exception {
        return await(store.vote(id, who, roles, approve, "ok", clock.instant()));
    }

    @Test
    void anotherAdminApprovesAndTheGrantIsInForceForItsDurationFromTheApproval() throws Exception {
        AccessGrant asked = await(access.request("erin", ADMIN, Duration.ofHours(2), "INC-42: fix the orders index"));
        assertThat(await(store.get(asked.id())).status()).isEqualTo(Status.PENDING);
        assertThat(await(access.grantsOf("erin"))).isEmpty();

        AccessStore.Changed self = vote(asked.id(), "erin", Set.of("admin", "engineer"), true);
        assertThat(self.refusal()).isEqualTo(403);
        assertThat(self.problem()).contains("self-approval is refused");
        AccessStore.Changed notApprover = vote(asked.id(), "olga", Set.of("engineer"), true);
        assertThat(notApprover.refusal()).isEqualTo(403);
        assertThat(notApprover.problem()).contains("holders of role admin");

        clock.advance(Duration.ofMinutes(10));
        AccessStore.Changed ok = vote(asked.id(), "lead", Set.of("admin"), true);
        assertThat(ok.grant().status()).isEqualTo(Status.GRANTED);
        assertThat(ok.grant().grantedAt()).isEqualTo(T0.plus(Duration.ofMinutes(10)));
        assertThat(ok.grant().expires()).isEqualTo(T0.plus(Duration.ofMinutes(130)));
        assertThat(await(access.grantsOf("erin"))).extracting(AccessGrant::id).containsExactly(asked.id());
        assertThat(await(access.grantsOf("olga"))).isEmpty();
        assertThat(vote(asked.id(), "ada", Set.of("admin"), true).refusal()).as("decided already").isEqualTo(409);

        clock.advance(Duration.ofMinutes(120));
        assertThat(await(access.grantsOf("erin"))).as("past its end").isEmpty();
        assertThat(await(store.list(Status.EXPIRED, 10, clock.instant()))).extracting(AccessGrant::id).contains(asked.id());
    }

    @Test
    void aGrantNeedingTwoApproversWaitsForTheSecondDistinctOne() throws Exception {
        AccessGrant asked = await(access.request("erin", ADMIN_BY_TWO, Duration.ofHours(1), "migration"));
        assertThat(vote(asked.id(), "lead", Set.of("admin"), true).grant().status()).isEqualTo(Status.PENDING);
        AccessStore.Changed twice = vote(asked.id(), "lead", Set.of("admin"), true);
        assertThat(twice.refusal()).isEqualTo(409);
        assertThat(twice.problem()).contains("already decided");
        assertThat(await(access.grantsOf("erin"))).isEmpty();
        assertThat(vote(asked.id(), "ada", Set.of("admin"), true).grant().status()).isEqualTo(Status.GRANTED);
        assertThat(await(access.grantsOf("erin"))).hasSize(1);
    }

    @Test
    void aDenialEndsTheRequestAndGrantsNothing() throws Exception {
        AccessGrant asked = await(access.request("erin", ADMIN, Duration.ofHours(1), "curious"));
        AccessStore.Changed no = vote(asked.id(), "lead", Set.of("admin"), false);
        assertThat(no.grant().status()).isEqualTo(Status.DENIED);
        assertThat(no.grant().votes()).singleElement().satisfies(v -> assertThat(v.approver()).isEqualTo("lead"));
        assertThat(vote(asked.id(), "ada", Set.of("admin"), true).refusal()).isEqualTo(409);
        assertThat(await(access.grantsOf("erin"))).isEmpty();
    }

    @Test
    void aPendingRequestNobodyDecidesExpires() throws Exception {
        AccessGrant asked = await(access.request("erin", ADMIN, Duration.ofHours(1), "later"));
        clock.advance(Duration.ofHours(25));
        AccessStore.Changed late = vote(asked.id(), "lead", Set.of("admin"), true);
        assertThat(late.refusal()).isEqualTo(409);
        assertThat(late.problem()).contains("is expired");
    }

    @Test
    void aGrantRevokedByAnApproverIsNoLongerInForceAndStrangersCannotRevoke() throws Exception {
        AccessGrant asked = await(access.request("erin", ADMIN, Duration.ofHours(1), "deploy"));
        vote(asked.id(), "lead", Set.of("admin"), true);
        AccessStore.Changed stranger = await(store.revoke(asked.id(), "olga", Set.of("engineer"), false, null, clock.instant()));
        assertThat(stranger.refusal()).isEqualTo(403);
        AccessStore.Changed revoked = await(store.revoke(asked.id(), "lead", Set.of("admin"), false, "done early",
                clock.instant()));
        assertThat(revoked.grant().status()).isEqualTo(Status.REVOKED);
        assertThat(await(access.grantsOf("erin"))).isEmpty();
        AccessGrant row = await(store.byIds(Set.of(asked.id()))).get(asked.id());
        assertThat(row.status()).isEqualTo(Status.REVOKED);
        assertThat(row.revokedBy()).isEqualTo("lead");
        assertThat(row.revokeReason()).isEqualTo("done early");
        assertThat(await(store.revoke(asked.id(), "lead", Set.of("admin"), false, null, clock.instant())).refusal())
                .isEqualTo(409);
    }

    @Test
    void theHolderMayGiveUpItsOwnGrant() throws Exception {
        AccessGrant asked = await(access.request("erin", ADMIN, Duration.ofHours(1), "deploy"));
        vote(asked.id(), "lead", Set.of("admin"), true);
        assertThat(await(store.revoke(asked.id(), "erin", Set.of("engineer"), false, null, clock.instant())).grant().status())
                .isEqualTo(Status.REVOKED);
    }

    @Test
    void breakGlassIsInForceAtOnceAndTheListenerIsTold() throws Exception {
        AccessGrant planned = access.plannedBreakGlass("erin", ADMIN, Duration.ofMinutes(30), "orders are down");
        assertThat(await(access.grantsOf("erin"))).isEmpty();
        AccessGrant stored = await(access.store(planned));
        assertThat(stored.breakGlass()).isTrue();
        assertThat(await(access.grantsOf("erin"))).extracting(AccessGrant::id).containsExactly(planned.id());
        assertThat(brokeGlass).extracting(AccessGrant::id).containsExactly(planned.id());
        assertThat(await(store.get(planned.id())).expires()).isEqualTo(T0.plus(Duration.ofMinutes(30)));
    }

    @Test
    void grantsOfAnotherEnvironmentDoNotCount() throws Exception {
        Access staging = new Access(store, vertx, clock, "staging", Duration.ofHours(24), Duration.ofSeconds(2),
                Duration.ofSeconds(5), g -> { });
        await(staging.store(staging.plannedBreakGlass("erin", ADMIN, Duration.ofMinutes(30), "staging only")));
        assertThat(await(staging.grantsOf("erin"))).hasSize(1);
        assertThat(await(access.grantsOf("erin"))).isEmpty();
    }

    @Test
    void aControlPlaneThatDoesNotAnswerFailsTheLookupWithinItsTimeout() throws Exception {
        // Accepts connections and never answers: the startup handshake hangs.
        NetServer silent = await(vertx.createNetServer().connectHandler(socket -> { }).listen(0, "127.0.0.1"));
        try {
            AccessStore hanging = new AccessStore(PgBuilder.pool().connectingTo(new PgConnectOptions().setHost("127.0.0.1")
                    .setPort(silent.actualPort()).setDatabase("postgres").setUser("veil").setSslMode(SslMode.DISABLE)
                    .setConnectTimeout(60_000)).using(vertx).build(), "access_hanging");
            Access slow = new Access(hanging, vertx, clock, "prod", Duration.ofHours(24), Duration.ofMillis(300),
                    Duration.ofSeconds(5), g -> { });
            ExecutionException e = assertThrows(ExecutionException.class, () -> await(slow.grantsOf("erin")));
            assertThat(e.getCause()).isInstanceOf(TimeoutException.class);
            assertThat(e.getCause().getMessage()).contains("veil.access.lookup-timeout");
        } finally {
            silent.close();
        }
    }
}
