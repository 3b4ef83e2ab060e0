package dev.veil.session;

import dev.veil.approval.access.Access;
import dev.veil.approval.access.AccessStore;
import dev.veil.identity.Identity;
import dev.veil.policy.PolicyEngine;
import dev.veil.policy.PolicyParser;
import dev.veil.testing.TestConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A session's grants are read only when the policy lets its identity hold one, and a control plane that does not
 * answer in time opens the session without any granted role, saying why (fail closed, never more).
 */
class SessionGrantsTest {
    private static final String POLICY = """
            roles:
              engineer: {local-accounts: [erin]}
              admin: {local-accounts: [ada]}
            access:
              roles:
                admin: {requesters: [engineer]}
            default:
              known-identity: {outcome: allow}
            """;

    private final Vertx vertx = Vertx.vertx();
    private NetServer silent;
    private SessionOpener opener;

    @BeforeEach
    void start() throws Exception {
        // Accepts connections and never answers: the control plane hangs.
        silent = vertx.createNetServer().connectHandler(socket -> { }).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        AccessStore store = new AccessStore(PgBuilder.pool().connectingTo(new PgConnectOptions().setHost("127.0.0.1")
                .setPort(silent.actualPort()).setDatabase("postgres").setUser("veil").setSslMode(SslMode.DISABLE)
                .setConnectTimeout(60_000)).using(vertx).build(), "veil_access_grants");
        Access access = new Access(store, vertx, Clock.systemUTC(), "prod", Duration.ofHours(24), Duration.ofMillis(300),
                Duration.ofSeconds(5), g -> { });
        PolicyEngine policy = PolicyEngine.builtIn();
        policy.install(PolicyParser.parse(POLICY, "policy.yaml", "prod"));
        StatementPipelines pipelines = new StatementPipelines(null, null, policy, null);
        opener = new SessionOpener(new SessionRegistry(), pipelines, TestConfig.veil(Map.of("veil.environment", "prod")),
                Clock.systemUTC(), access, vertx);
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static Identity local(String name) {
        return new Identity(name, List.of(), Identity.Source.LOCAL_ACCOUNT);
    }

    @Test
    void aControlPlaneThatDoesNotAnswerOpensTheSessionWithoutGrantedRolesAndSaysWhy() throws Exception {
        Future<SessionGrants> read = opener.grants(local("erin"));
        SessionGrants grants = read.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(grants.grants()).isEmpty();
        assertThat(grants.roles()).isEmpty();
        assertThat(grants.problem()).contains("your access grants could not be read")
                .contains("veil.access.lookup-timeout").contains("without any granted role");
    }

    @Test
    void anIdentityThePolicyLetsHoldNoGrantIsNotLookedUp() {
        Future<SessionGrants> read = opener.grants(local("ada"));
        assertThat(read.isComplete()).as("answered at once, without the control plane").isTrue();
        assertThat(read.result()).isSameAs(SessionGrants.NONE);
    }
}
