package dev.veil.frontend.mysql;

import dev.veil.config.VeilConfig;
import dev.veil.protocol.mysql.AuthMoreData;
import dev.veil.protocol.mysql.AuthSwitchRequest;
import dev.veil.protocol.mysql.Capabilities;
import dev.veil.protocol.mysql.HandshakeResponse41;
import dev.veil.identity.Authenticator;
import dev.veil.identity.Identity;
import dev.veil.identity.oidc.OidcProviders;
import dev.veil.identity.LocalAccounts;
import dev.veil.identity.LoginThrottle;
import dev.veil.identity.MySqlScramble;
import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import dev.veil.testing.TestConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The authentication conversation with a MySQL client, driven with the packets a client sends. The
 * frontend is the real one, built from a real configuration (SmallRye Config, as Quarkus does) with one
 * local account; nothing here touches the network.
 */
class MySqlAuthFlowTest {
    private static final String NATIVE = "mysql_native_password";
    private static final String CACHING_SHA2 = "caching_sha2_password";
    private static final String CLEAR = "mysql_clear_password";
    private static final byte[] NONCE = "0123456789abcdefghij".getBytes(StandardCharsets.US_ASCII);
    private static final String HOST = "10.1.2.3";
    private static final int CAPS = Capabilities.PROTOCOL_41 | Capabilities.SECURE_CONNECTION | Capabilities.PLUGIN_AUTH
            | Capabilities.PLUGIN_AUTH_LENENC_CLIENT_DATA;

    private static Vertx vertx;

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopVertx() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    private static Setup frontend(String authPlugin, boolean fullAuthentication) {
        return frontend(authPlugin, fullAuthentication, Map.of());
    }

    /** What an authentication flow depends on: the authenticator and the listener's settings. */
    private record Setup(Authenticator authenticator, VeilConfig.MySqlListener listener) {
    }

    private static MySqlAuthFlow flow(Setup setup, byte[] nonce, boolean tls, boolean loopback, String host) {
        return new MySqlAuthFlow(setup.authenticator(), setup.listener(), nonce, tls, loopback, host);
    }

    private static Setup frontend(String authPlugin, boolean fullAuthentication, Map<String, String> more) {
        Map<String, String> props = new HashMap<>(more);
        props.put("veil.local-accounts.alice.password", "wonderland");
        props.put("veil.local-accounts.alice.roles", "engineer,analyst");
        props.put("veil.mysql.auth-plugin", authPlugin);
        props.put("veil.mysql.caching-sha2-full-authentication", Boolean.toString(fullAuthentication));
        VeilConfig veil = TestConfig.veil(props);
        LocalAccounts accounts = new LocalAccounts(veil);
        Authenticator authenticator = new Authenticator(accounts, new OidcProviders(veil, Clock.systemUTC()), vertx, veil,
                new LoginThrottle(LoginThrottle.Limits.OFF, Clock.systemUTC(), vertx, null));
        return new Setup(authenticator, veil.mysql());
    }

    private static HandshakeResponse41 response(String user, String plugin, byte[] auth) {
        return new HandshakeResponse41(CAPS, 1 << 24, 45, user, auth, null, plugin, Map.of());
    }

    private static byte[] clear(String password) {
        byte[] pw = password.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[pw.length + 1];
        System.arraycopy(pw, 0, out, 0, pw.length);
        return out;
    }

    /** A step whose secret is being verified off the loop, once the verdict is in (its failure rethrown). */
    private static MySqlAuthFlow.Step settle(MySqlAuthFlow.Step step) {
        if (step.verifying() == null) {
            return step;
        }
        try {
            return new MySqlAuthFlow.Step(step.replies(), step.verifying().toCompletionStage().toCompletableFuture().join());
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    private static void assertAlice(MySqlAuthFlow.Step unsettled) {
        MySqlAuthFlow.Step step = settle(unsettled);
        assertThat(step.identity()).isEqualTo(new Identity("alice", List.of("engineer", "analyst"), Identity.Source.LOCAL_ACCOUNT));
    }

    private static void assertReplies(MySqlAuthFlow.Step step, byte... verdicts) {
        assertThat(step.replies()).hasSize(verdicts.length);
        for (int i = 0; i < verdicts.length; i++) {
            assertThat(AuthMoreData.decode(step.replies().get(i)).data()).containsExactly(verdicts[i]);
            assertThat((int) step.replies().get(i).getUnsignedByte(0)).isEqualTo(AuthMoreData.HEADER);
        }
    }

    private static VeilException denial(java.util.function.Supplier<MySqlAuthFlow.Step> r, ErrorCode code) {
        VeilException e = catchThrowableOfType(() -> settle(r.get()), VeilException.class);
        assertThat(e).as("refused").isNotNull();
        assertThat(e.code()).isEqualTo(code);
        assertThat(e.fatal()).isTrue();
        return e;
    }

    @Test
    void anAccountConfiguredWithoutAPasswordGetsInWithAnEmptyAnswerOnly() {
        Setup setup = frontend(CACHING_SHA2, false, Map.of("veil.local-accounts.dev.password", ""));
        for (String plugin : List.of(CACHING_SHA2, NATIVE)) {
            MySqlAuthFlow.Step step = flow(setup, NONCE, false, true, "127.0.0.1").onHandshakeResponse(response("dev", plugin, new byte[0]));
            assertThat(step.replies()).isEmpty();
            assertThat(step.identity()).isEqualTo(new Identity("dev", List.of(), Identity.Source.LOCAL_ACCOUNT));
        }
        // A client that sends a secret expects it checked, and there is nothing to check it against.
        VeilException e = denial(() -> flow(setup, NONCE, false, true, "127.0.0.1")
                .onHandshakeResponse(response("dev", NATIVE, new byte[20])), ErrorCode.AUTH_FAILED);
        assertThat(e.getMessage()).contains("Access denied for user 'dev'", "using password: YES");
    }

    @Nested
    class PreferredPlugin {
        @Test
        void asksForTheConfiguredScramblePlugin() {
            assertThat(MySqlAuthFlow.preferredPlugin("caching_sha2_password", false, false)).isEqualTo(CACHING_SHA2);
            assertThat(MySqlAuthFlow.preferredPlugin("MySQL_Native_Password", false, false)).isEqualTo(NATIVE);
        }

        @Test
        void asksForClearPasswordOnlyInsideTlsOrOnLoopback() {
            assertThat(MySqlAuthFlow.preferredPlugin(CLEAR, true, false)).isEqualTo(CLEAR);
            assertThat(MySqlAuthFlow.preferredPlugin(CLEAR, false, true)).isEqualTo(CLEAR);
            assertThat(MySqlAuthFlow.preferredPlugin(CLEAR, false, false)).isEqualTo(CACHING_SHA2);
        }

        @Test
        void refusesAnUnknownConfiguredPlugin() {
            assertThatThrownBy(() -> MySqlAuthFlow.preferredPlugin("sha256_password", true, true))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sha256_password");
        }
    }

    @Nested
    class CachingSha2 {
        @Test
        void acceptsTheRightScrambleOnTheFastPath() {
            MySqlAuthFlow flow = flow(frontend(CACHING_SHA2, false), NONCE, false, false, HOST);
            MySqlAuthFlow.Step step = flow.onHandshakeResponse(response("alice", CACHING_SHA2, MySqlScramble.cachingSha2("wonderland", NONCE)));
            assertReplies(step, AuthMoreData.FAST_AUTH_SUCCESS);
            assertAlice(step);
            assertThat(flow.user()).isEqualTo("alice");
        }

        @Test
        void deniesAWrongScrambleOnTheFastPath() {
            MySqlAuthFlow flow = flow(frontend(CACHING_SHA2, false), NONCE, false, false, HOST);
            VeilException e = denial(() -> flow.onHandshakeResponse(response("alice", CACHING_SHA2,
                    MySqlScramble.cachingSha2("looking-glass", NONCE))), ErrorCode.AUTH_FAILED);
            assertThat(e.code().mysqlErrno()).isEqualTo(1045);
            assertThat(e.getMessage()).isEqualTo("Access denied for user 'alice'@'10.1.2.3' (using password: YES)");
        }

        @Test
        void deniesAnEmptyPasswordSayingSo() {
            MySqlAuthFlow flow = flow(frontend(CACHING_SHA2, false), NONCE, false, false, HOST);
            VeilException e = denial(() -> flow.onHandshakeResponse(response("alice", CACHING_SHA2, new byte[0])), ErrorCode.AUTH_FAILED);
            assertThat(e.getMessage()).endsWith("(using password: NO)");
        }

        @Test
        void switchesAClientThatAnsweredWithAnotherPluginAndAcceptsItsNewAnswer() {
            MySqlAuthFlow flow = flow(frontend(CACHING_SHA2, false), NONCE, false, false, HOST);
            MySqlAuthFlow.Step sw = flow.onHandshakeResponse(response("alice", NATIVE, MySqlScramble.nativePassword("wonderland", NONCE)));
            assertThat(sw.identity()).isNull();
            assertThat(sw.replies()).hasSize(1);
            Buffer packet = sw.replies().get(0);
            assertThat(packet.getBytes(packet.length() - 21, packet.length())).as("nonce and its NUL")
                    .isEqualTo(java.util.Arrays.copyOf(NONCE, 21));
            AuthSwitchRequest request = AuthSwitchRequest.decode(packet);
            assertThat(request.pluginName()).isEqualTo(CACHING_SHA2);
            assertThat(request.pluginData()).isEqualTo(NONCE);
            MySqlAuthFlow.Step step = flow.onPacket(Buffer.buffer(MySqlScramble.cachingSha2("wonderland", NONCE)));
            assertReplies(step, AuthMoreData.FAST_AUTH_SUCCESS);
            assertAlice(step);
        }

        @Test
        void asksForThePasswordWhenConfiguredForFullAuthenticationAndAcceptsItInsideTls() {
            MySqlAuthFlow flow = flow(frontend(CACHING_SHA2, true), NONCE, true, false, HOST);
            MySqlAuthFlow.Step ask = flow.onHandshakeResponse(response("alice", CACHING_SHA2, MySqlScramble.cachingSha2("wonderland", NONCE)));
            assertReplies(ask, AuthMoreData.PERFORM_FULL_AUTHENTICATION);
            assertThat(ask.identity()).isNull();
            MySqlAuthFlow.Step step = flow.onPacket(Buffer.buffer(clear("wonderland")));
            assertThat(step.replies()).isEmpty();
            assertAlice(step);
        }

        @Test
        void deniesAWrongPasswordInFullAuthentication() {
            MySqlAuthFlow flow = flow(frontend(CACHING_SHA2, true), NONCE, true, false, HOST);
            flow.onHandshakeResponse(response("alice", CACHING_SHA2, MySqlScramble.cachingSha2("wonderland", NONCE)));
            denial(() -> flow.onPacket(Buffer.buffer(clear("looking-glass"))), ErrorCode.AUTH_FAILED);
        }

        @Test
        void refusesAClientAskingForTheRsaKeyWithAMessageAboutTls() {
            MySqlAuthFlow flow = flow(frontend(CACHING_SHA2, true), NONCE, false, false, HOST);
            flow.onHandshakeResponse(response("alice", CACHING_SHA2, MySqlScramble.cachingSha2("wonderland", NONCE)));
            VeilException e = denial(() -> flow.onPacket(Buffer.buffer(new byte[]{0x02})), ErrorCode.INVALID_AUTHORIZATION);
            assertThat(e.getMessage()).contains("TLS").contains("RSA");
        }

        @Test
        void refusesAPasswordSentInClearOutsideTls() {
            MySqlAuthFlow flow = flow(frontend(CACHING_SHA2, true), NONCE, false, false, HOST);
            flow.onHandshakeResponse(response("alice", CACHING_SHA2, MySqlScramble.cachingSha2("wonderland", NONCE)));
            VeilException e = denial(() -> flow.onPacket(Buffer.buffer(clear("wonderland"))), ErrorCode.INVALID_AUTHORIZATION);
            assertThat(e.getMessage()).contains("only over TLS");
        }

        @Test
        void deniesAnUnknownUserOnTheFastPathExactlyLikeAWrongPassword() {
            // No detour through full authentication for unknown names: the answer must not reveal which
            // accounts exist.
            Setup frontend = frontend(CACHING_SHA2, false);
            VeilException unknown = denial(() -> flow(frontend, NONCE, true, false, HOST)
                    .onHandshakeResponse(response("mallory", CACHING_SHA2, MySqlScramble.cachingSha2("wonderland", NONCE))),
                    ErrorCode.AUTH_FAILED);
            VeilException wrong = denial(() -> flow(frontend, NONCE, true, false, HOST)
                    .onHandshakeResponse(response("alice", CACHING_SHA2, MySqlScramble.cachingSha2("looking-glass", NONCE))),
                    ErrorCode.AUTH_FAILED);
            assertThat(unknown.getMessage()).isEqualTo(wrong.getMessage().replace("'alice'", "'mallory'"));
        }

        @Test
        void deniesAnUnknownUserAfterFullAuthenticationWhenConfiguredForIt() {
            MySqlAuthFlow flow = flow(frontend(CACHING_SHA2, true), NONCE, true, false, HOST);
            MySqlAuthFlow.Step ask = flow.onHandshakeResponse(response("mallory", CACHING_SHA2, MySqlScramble.cachingSha2("wonderland", NONCE)));
            assertReplies(ask, AuthMoreData.PERFORM_FULL_AUTHENTICATION);
            VeilException e = denial(() -> flow.onPacket(Buffer.buffer(clear("wonderland"))), ErrorCode.AUTH_FAILED);
            assertThat(e.getMessage()).contains("'mallory'@'10.1.2.3'");
        }
    }

    @Nested
    class NativePassword {
        @Test
        void acceptsTheRightScrambleWithoutFurtherPackets() {
            MySqlAuthFlow flow = flow(frontend(NATIVE, false), NONCE, false, false, HOST);
            MySqlAuthFlow.Step step = flow.onHandshakeResponse(response("alice", NATIVE, MySqlScramble.nativePassword("wonderland", NONCE)));
            assertThat(step.replies()).isEmpty();
            assertAlice(step);
        }

        @Test
        void takesAClientWithoutPluginNameForNativePassword() {
            MySqlAuthFlow flow = flow(frontend(NATIVE, false), NONCE, false, false, HOST);
            assertAlice(flow.onHandshakeResponse(response("alice", null, MySqlScramble.nativePassword("wonderland", NONCE))));
        }

        @Test
        void deniesAWrongPasswordAnUnknownUserAndAScrambleOfAnotherNonce() {
            Setup frontend = frontend(NATIVE, false);
            denial(() -> flow(frontend, NONCE, false, false, HOST)
                    .onHandshakeResponse(response("alice", NATIVE, MySqlScramble.nativePassword("looking-glass", NONCE))), ErrorCode.AUTH_FAILED);
            denial(() -> flow(frontend, NONCE, false, false, HOST)
                    .onHandshakeResponse(response("mallory", NATIVE, MySqlScramble.nativePassword("wonderland", NONCE))), ErrorCode.AUTH_FAILED);
            byte[] replayed = MySqlScramble.nativePassword("wonderland", "another-nonce-of-20b".getBytes(StandardCharsets.US_ASCII));
            denial(() -> flow(frontend, NONCE, false, false, HOST)
                    .onHandshakeResponse(response("alice", NATIVE, replayed)), ErrorCode.AUTH_FAILED);
        }

        @Test
        void switchesACachingSha2ClientToNativePassword() {
            MySqlAuthFlow flow = flow(frontend(NATIVE, false), NONCE, false, false, HOST);
            MySqlAuthFlow.Step sw = flow.onHandshakeResponse(response("alice", CACHING_SHA2, MySqlScramble.cachingSha2("wonderland", NONCE)));
            assertThat(AuthSwitchRequest.decode(sw.replies().get(0)).pluginName()).isEqualTo(NATIVE);
            assertAlice(flow.onPacket(Buffer.buffer(MySqlScramble.nativePassword("wonderland", NONCE))));
        }
    }

    @Nested
    class ClearPassword {
        @Test
        void acceptsTheClearPasswordInsideTls() {
            MySqlAuthFlow flow = flow(frontend(CLEAR, false), NONCE, true, false, HOST);
            assertAlice(flow.onHandshakeResponse(response("alice", CLEAR, clear("wonderland"))));
        }

        @Test
        void acceptsTheClearPasswordOnLoopbackWithoutItsNul() {
            MySqlAuthFlow flow = flow(frontend(CLEAR, false), NONCE, false, true, "127.0.0.1");
            assertAlice(flow.onHandshakeResponse(response("alice", CLEAR, "wonderland".getBytes(StandardCharsets.UTF_8))));
        }

        @Test
        void switchesAClearPasswordClientToCachingSha2OnAPlainRemoteConnection() {
            MySqlAuthFlow flow = flow(frontend(CLEAR, false), NONCE, false, false, HOST);
            MySqlAuthFlow.Step sw = flow.onHandshakeResponse(response("alice", CLEAR, clear("wonderland")));
            assertThat(sw.identity()).isNull();
            assertThat(AuthSwitchRequest.decode(sw.replies().get(0)).pluginName()).isEqualTo(CACHING_SHA2);
        }

        @Test
        void deniesAWrongClearPassword() {
            MySqlAuthFlow flow = flow(frontend(CLEAR, false), NONCE, true, false, HOST);
            denial(() -> flow.onHandshakeResponse(response("alice", CLEAR, clear("looking-glass"))), ErrorCode.AUTH_FAILED);
        }
    }

    /** With an OIDC provider configured, users without MySQL hashes in Veil must send their token itself. */
    @Nested
    class TokenUsers {
        private final Map<String, String> provider = Map.of("veil.identity.oidc.sso.issuer", "https://sso.example.com/realms/acme");

        @Test
        void overTlsACachingSha2ClientIsAskedForFullAuthentication() {
            MySqlAuthFlow flow = flow(frontend(CACHING_SHA2, false, provider), NONCE, true, false, HOST);
            MySqlAuthFlow.Step step = flow.onHandshakeResponse(response("alice@example.com", CACHING_SHA2, new byte[32]));
            assertReplies(step, AuthMoreData.PERFORM_FULL_AUTHENTICATION);
            assertThat(step.identity()).isNull();
        }

        @Test
        void overTlsANativeClientIsSwitchedToClearPassword() {
            MySqlAuthFlow flow = flow(frontend(CACHING_SHA2, false, provider), NONCE, true, false, HOST);
            MySqlAuthFlow.Step step = flow.onHandshakeResponse(response("alice@example.com", NATIVE, new byte[20]));
            assertThat(AuthSwitchRequest.decode(step.replies().get(0)).pluginName()).isEqualTo(CLEAR);
        }

        @Test
        void aTokenOverPlainTcpFromANonLoopbackAddressIsNeverAskedFor() {
            MySqlAuthFlow flow = flow(frontend(CACHING_SHA2, false, provider), NONCE, false, false, HOST);
            VeilException e = denial(() -> flow.onHandshakeResponse(response("alice@example.com", CACHING_SHA2, new byte[32])),
                    ErrorCode.INVALID_AUTHORIZATION);
            assertThat(e.getMessage()).contains("only over TLS");
        }

        @Test
        void onLoopbackOutsideDevelopmentCleartextNeedsTls() {
            Map<String, String> prod = new HashMap<>(provider);
            prod.put("veil.environment", "prod");
            MySqlAuthFlow flow = flow(frontend(CACHING_SHA2, false, prod), NONCE, false, true, "127.0.0.1");
            denial(() -> flow.onHandshakeResponse(response("alice@example.com", CACHING_SHA2, new byte[32])),
                    ErrorCode.INVALID_AUTHORIZATION);
        }

        @Test
        void onLoopbackWithoutTlsOnlyAnOperatorWhoChoseClearPasswordGetsIt() {
            MySqlAuthFlow refused = flow(frontend(CACHING_SHA2, false, provider), NONCE, false, true, "127.0.0.1");
            denial(() -> refused.onHandshakeResponse(response("alice@example.com", CACHING_SHA2, new byte[32])),
                    ErrorCode.INVALID_AUTHORIZATION);
            MySqlAuthFlow switched = flow(frontend(CLEAR, false, provider), NONCE, false, true, "127.0.0.1");
            MySqlAuthFlow.Step step = switched.onHandshakeResponse(response("alice@example.com", CACHING_SHA2, new byte[32]));
            assertThat(AuthSwitchRequest.decode(step.replies().get(0)).pluginName()).isEqualTo(CLEAR);
        }

        @Test
        void aGarbageSecretIsRefusedAfterVerification() {
            MySqlAuthFlow flow = flow(frontend(CACHING_SHA2, false, provider), NONCE, true, false, HOST);
            flow.onHandshakeResponse(response("alice@example.com", CACHING_SHA2, new byte[32]));
            VeilException e = denial(() -> flow.onPacket(Buffer.buffer(clear("not-a-token"))), ErrorCode.AUTH_FAILED);
            assertThat(e.getMessage()).startsWith("Access denied for user 'alice@example.com'@'10.1.2.3' (using password: YES)");
        }
    }

    @Test
    void refusesPacketsAfterAuthenticationEnded() {
        MySqlAuthFlow flow = flow(frontend(NATIVE, false), NONCE, false, false, HOST);
        flow.onHandshakeResponse(response("alice", NATIVE, MySqlScramble.nativePassword("wonderland", NONCE)));
        denial(() -> flow.onPacket(Buffer.buffer(new byte[]{1})), ErrorCode.PROTOCOL_VIOLATION);
    }
}
