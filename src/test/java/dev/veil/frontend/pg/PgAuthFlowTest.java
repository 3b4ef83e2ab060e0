package dev.veil.frontend.pg;

import dev.veil.config.VeilConfig;
import dev.veil.protocol.pg.PgFrame;
import dev.veil.identity.Authenticator;
import dev.veil.identity.LocalAccounts;
import dev.veil.identity.LoginThrottle;
import dev.veil.identity.oidc.OidcProviders;
import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;
import dev.veil.testing.TestConfig;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Which authentication a PostgreSQL client is asked for, driven without a network: accounts Veil holds a
 * verifier for get SCRAM; token users get a cleartext request only where it cannot be read on the wire.
 */
class PgAuthFlowTest {
    private static final Map<String, String> PROVIDER = Map.of(
            "veil.identity.oidc.sso.issuer", "https://sso.example.com/realms/acme",
            "veil.local-accounts.alice.password", "wonderland");
    private static Vertx vertx;

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopVertx() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    private static PgAuthFlow flow(Map<String, String> extra, String user, boolean tls, boolean loopback) {
        Map<String, String> props = new HashMap<>(PROVIDER);
        props.putAll(extra);
        VeilConfig veil = TestConfig.veil(props);
        LocalAccounts accounts = new LocalAccounts(veil);
        Authenticator authenticator = new Authenticator(accounts, new OidcProviders(veil, Clock.systemUTC()), vertx, veil,
                new LoginThrottle(LoginThrottle.Limits.OFF, Clock.systemUTC(), vertx, null));
        return new PgAuthFlow(authenticator, veil.pg().passwordMethod(), user, tls, loopback);
    }

    private static char requestType(PgAuthFlow flow) {
        Buffer request = flow.firstRequest();
        assertThat((char) request.getByte(0)).isEqualTo('R');
        return switch (request.getInt(5)) {
            case 3 -> 'C'; // AuthenticationCleartextPassword
            case 10 -> 'S'; // AuthenticationSASL
            default -> '?';
        };
    }

    private static PgFrame password(String secret) {
        Buffer b = Buffer.buffer().appendByte((byte) 'p').appendInt(4 + secret.length() + 1).appendString(secret).appendByte((byte) 0);
        return PgFrame.of(b);
    }

    @Test
    void accountsVeilHoldsAVerifierForUseScramEvenWhenTokensAreAccepted() {
        assertThat(requestType(flow(Map.of(), "alice", false, false))).isEqualTo('S');
    }

    @Test
    void anAccountConfiguredWithoutAPasswordIsLetInWithoutBeingAsked() {
        PgAuthFlow dev = flow(Map.of("veil.local-accounts.dev.password", "", "veil.local-accounts.dev.roles", "engineer"),
                "dev", false, true);
        assertThat(dev.withoutPassword()).isNotNull();
        assertThat(dev.withoutPassword().name()).isEqualTo("dev");
        assertThat(flow(Map.of("veil.local-accounts.solo.password", ""), "solo", false, true).withoutPassword()).isNotNull();
        assertThat(dev.withoutPassword().roles()).containsExactly("engineer");
        assertThat(flow(Map.of(), "alice", false, true).withoutPassword()).isNull();
        assertThat(flow(Map.of(), "bob@example.com", true, true).withoutPassword()).isNull();
    }

    @Test
    void tokenUsersAreAskedForACleartextPasswordInsideTls() {
        assertThat(requestType(flow(Map.of(), "bob@example.com", true, false))).isEqualTo('C');
    }

    @Test
    void aTokenIsNeverAskedForOverPlainTcpFromANonLoopbackAddress() {
        VeilException e = catchThrowableOfType(() -> flow(Map.of(), "bob@example.com", false, false),
                VeilException.class);
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_AUTHORIZATION);
        assertThat(e.code().sqlState()).isEqualTo("28000");
        assertThat(e.getMessage()).contains("only over TLS").contains("sslmode=require");
    }

    @Test
    void loopbackCleartextIsADevelopmentConvenienceOnly() {
        assertThat(requestType(flow(Map.of(), "bob@example.com", false, true))).isEqualTo('C');
        VeilException e = catchThrowableOfType(() -> flow(Map.of("veil.environment", "prod"),
                "bob@example.com", false, true), VeilException.class);
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_AUTHORIZATION);
        assertThat(requestType(flow(Map.of("veil.environment", "prod",
                "veil.identity.loopback-cleartext", "true"), "bob@example.com", false, true))).isEqualTo('C');
    }

    @Test
    void aSecretThatIsNeitherTokenNorPasswordFailsAs28P01() {
        PgAuthFlow flow = flow(Map.of(), "bob@example.com", true, false);
        flow.firstRequest();
        PgAuthFlow.Step step = flow.onResponse(password("hunter2"));
        assertThat(step.verifying()).isNotNull();
        CompletionException e = catchThrowableOfType(() -> step.verifying().toCompletionStage().toCompletableFuture().join(),
                CompletionException.class);
        assertThat(e.getCause()).isInstanceOfSatisfying(VeilException.class, v -> {
            assertThat(v.code().sqlState()).isEqualTo("28P01");
            assertThat(v.fatal()).isTrue();
        });
    }
}
