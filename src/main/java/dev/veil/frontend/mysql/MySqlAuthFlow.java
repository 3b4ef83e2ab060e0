package dev.veil.frontend.mysql;

import dev.veil.protocol.mysql.AuthMoreData;
import dev.veil.protocol.mysql.AuthSwitchRequest;
import dev.veil.protocol.mysql.Capabilities;
import dev.veil.protocol.mysql.HandshakeResponse41;
import dev.veil.identity.AuthenticationFailure;
import dev.veil.identity.Authenticator;
import dev.veil.config.VeilConfig;
import dev.veil.identity.Identity;
import dev.veil.identity.LocalAccounts;
import dev.veil.identity.MySqlScramble;
import dev.veil.identity.AuthErrors;
import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Locale;

/**
 * The authentication conversation with a MySQL client (dev.mysql.com "Connection Phase"). Veil announces
 * the configured plugin; a client that answered with another one is switched to it (AuthSwitchRequest).
 * <ul>
 * <li>caching_sha2_password: the fast path proves the password with a SHA-256 scramble; full
 * authentication (password in clear) is accepted only inside TLS. Veil never hands out an RSA key, so
 * a client on plain TCP that asks for one is refused with a message saying to use TLS.</li>
 * <li>mysql_native_password: the SHA-1 scramble.</li>
 * <li>mysql_clear_password: only inside TLS or on loopback where allowed.</li>
 * </ul>
 * A user without MySQL password hashes in Veil (a person with an OIDC token, a service account configured
 * as a SCRAM verifier) must send the secret itself: over TLS a caching_sha2_password client is asked for full
 * authentication; otherwise the client is switched to mysql_clear_password where cleartext is allowed.
 */
final class MySqlAuthFlow {
    static final String NATIVE = "mysql_native_password";
    static final String CACHING_SHA2 = "caching_sha2_password";
    static final String CLEAR = "mysql_clear_password";

    /**
     * Payloads to send (in order, consecutive sequence ids), and the identity once proven; or a verification
     * still running (a token checked against the provider's keys) whose outcome decides.
     */
    record Step(List<Buffer> replies, Identity identity, Future<Identity> verifying) {
        Step(List<Buffer> replies, Identity identity) {
            this(replies, identity, null);
        }
    }

    private enum Expect { HANDSHAKE_RESPONSE, SWITCH_RESPONSE, FULL_AUTHENTICATION, DONE }

    private final Authenticator authenticator;
    private final VeilConfig.MySqlListener listener;
    private final byte[] nonce;
    private final boolean tls;
    private final boolean loopback;
    private final String clientHost;
    private String user;
    private Optional<LocalAccounts.Account> account = Optional.empty();
    private String plugin;
    private Expect expect = Expect.HANDSHAKE_RESPONSE;

    MySqlAuthFlow(Authenticator authenticator, VeilConfig.MySqlListener listener, byte[] nonce, boolean tls, boolean loopback,
                  String clientHost) {
        this.authenticator = authenticator;
        this.listener = listener;
        this.nonce = nonce;
        this.tls = tls;
        this.loopback = loopback;
        this.clientHost = clientHost;
    }

    /** The plugin Veil asks for: the configured one, except cleartext where it could be read on the wire. */
    static String preferredPlugin(String configured, boolean tls, boolean loopback) {
        String p = configured.toLowerCase(Locale.ROOT);
        return switch (p) {
            case NATIVE, CACHING_SHA2 -> p;
            case CLEAR -> tls || loopback ? CLEAR : CACHING_SHA2;
            default -> throw new IllegalArgumentException("veil.mysql.auth-plugin: unknown plugin " + configured);
        };
    }

    Step onHandshakeResponse(HandshakeResponse41 response) {
        user = response.user();
        account = authenticator.account(user);
        String wanted = preferredPlugin(listener.authPlugin(), tls, loopback);
        String used = response.authPluginName() == null ? NATIVE : response.authPluginName();
        if (account.isPresent() && account.get().withoutPassword()) {
            // Configured without a password: a client with an empty password sends an empty answer under any
            // plugin, and the server's reply is a plain OK. A client that sends a secret expects one to be checked.
            byte[] answer = response.authResponse();
            boolean empty = answer == null || answer.length == 0 || (answer.length == 1 && answer[0] == 0);
            return empty ? done(List.of()) : deny(true);
        }
        boolean scrambleImpossible = account.isPresent() ? account.get().mysql() == null : authenticator.acceptsTokens();
        if (scrambleImpossible) {
            return askForSecret(response, used);
        }
        if (!Capabilities.has(response.capabilities(), Capabilities.PLUGIN_AUTH)) {
            // A client without plugin authentication cannot read an AuthSwitchRequest: it speaks the
            // native scramble, which is checked as is.
            plugin = NATIVE;
            return check(response.authResponse());
        }
        if (!used.equals(wanted)) {
            plugin = wanted;
            expect = Expect.SWITCH_RESPONSE;
            byte[] data = Arrays.copyOf(nonce, nonce.length + 1);
            return new Step(List.of(new AuthSwitchRequest(wanted, data).encode()), null);
        }
        plugin = used;
        return check(response.authResponse());
    }

    /** The secret itself is needed (a token, or a service account's secret checked against its verifier). */
    private Step askForSecret(HandshakeResponse41 response, String used) {
        boolean pluginAuth = Capabilities.has(response.capabilities(), Capabilities.PLUGIN_AUTH);
        if (tls && pluginAuth && used.equals(CACHING_SHA2)) {
            plugin = CACHING_SHA2;
            expect = Expect.FULL_AUTHENTICATION;
            return new Step(List.of(new AuthMoreData(new byte[]{AuthMoreData.PERFORM_FULL_AUTHENTICATION}).encode()), null);
        }
        // Without TLS the secret would cross in clear. On loopback that is allowed only where cleartext is (dev,
        // or configured) AND the operator chose mysql_clear_password: drivers refuse that plugin without TLS on
        // their own side, and a refusal from Veil (1045, audited, saying what to do) is clearer than theirs.
        boolean clearChosen = CLEAR.equalsIgnoreCase(listener.authPlugin());
        if (!tls && !(clearChosen && authenticator.cleartextAllowed(false, loopback))) {
            throw VeilException.fatal(ErrorCode.INVALID_AUTHORIZATION, "Access denied for user '" + user + "'@'" + clientHost
                    + "': Veil accepts identity tokens and service secrets only over TLS; connect with --ssl-mode=REQUIRED (sslMode=REQUIRED)");
        }
        if (!pluginAuth) {
            throw VeilException.fatal(ErrorCode.INVALID_AUTHORIZATION, "Access denied for user '" + user + "'@'" + clientHost
                    + "': the client cannot switch to mysql_clear_password (no plugin authentication)");
        }
        if (used.equals(CLEAR)) {
            plugin = CLEAR;
            return check(response.authResponse());
        }
        plugin = CLEAR;
        expect = Expect.SWITCH_RESPONSE;
        return new Step(List.of(new AuthSwitchRequest(CLEAR, Arrays.copyOf(nonce, nonce.length + 1)).encode()), null);
    }

    Step onPacket(Buffer payload) {
        byte[] data = payload.getBytes();
        return switch (expect) {
            case SWITCH_RESPONSE -> check(data);
            case FULL_AUTHENTICATION -> fullAuthentication(data);
            default -> throw VeilException.fatal(ErrorCode.PROTOCOL_VIOLATION, "unexpected packet during authentication");
        };
    }

    private Step check(byte[] response) {
        switch (plugin) {
            case NATIVE -> {
                boolean ok = account.isPresent() && account.get().mysql() != null
                        && MySqlScramble.verifyNative(account.get().mysql(), nonce, response);
                return ok ? done(List.of()) : deny(response.length > 0);
            }
            case CACHING_SHA2 -> {
                if (listener.cachingSha2FullAuthentication()) {
                    if (response.length == 0) {
                        return deny(false);
                    }
                    expect = Expect.FULL_AUTHENTICATION;
                    return new Step(List.of(new AuthMoreData(new byte[]{AuthMoreData.PERFORM_FULL_AUTHENTICATION}).encode()), null);
                }
                if (account.isPresent() && account.get().mysql() != null
                        && MySqlScramble.verifyCachingSha2(account.get().mysql(), nonce, response)) {
                    return done(List.of(new AuthMoreData(new byte[]{AuthMoreData.FAST_AUTH_SUCCESS}).encode()));
                }
                return deny(response.length > 0);
            }
            case CLEAR -> {
                if (!authenticator.cleartextAllowed(tls, loopback)) {
                    throw VeilException.fatal(ErrorCode.INVALID_AUTHORIZATION,
                            "mysql_clear_password is accepted only over TLS: connect with --ssl-mode=REQUIRED");
                }
                return cleartext(response);
            }
            default -> throw new IllegalStateException(plugin);
        }
    }

    private Step fullAuthentication(byte[] data) {
        if (data.length == 1 && data[0] == 0x02) {
            throw VeilException.fatal(ErrorCode.INVALID_AUTHORIZATION, "caching_sha2_password full authentication "
                    + "needs TLS: Veil does not hand out RSA public keys. Connect with TLS (--ssl-mode=REQUIRED, "
                    + "sslMode=REQUIRED) or use mysql_native_password");
        }
        if (!tls) {
            // The password would have crossed the network in clear; refuse rather than use it.
            throw VeilException.fatal(ErrorCode.INVALID_AUTHORIZATION,
                    "caching_sha2_password full authentication is accepted only over TLS");
        }
        return cleartext(data);
    }

    private Step cleartext(byte[] data) {
        int len = data.length;
        if (len > 0 && data[len - 1] == 0) {
            len--;
        }
        String password = new String(data, 0, len, StandardCharsets.UTF_8);
        if (password.isEmpty()) {
            return deny(false);
        }
        expect = Expect.DONE;
        Future<Identity> verifying = authenticator.cleartext(user, password, tls, loopback).recover(e -> {
            if (e instanceof AuthenticationFailure f) {
                VeilException v = AuthErrors.toVeil(f);
                return Future.failedFuture(VeilException.fatal(v.code(), "Access denied for user '" + user + "'@'"
                        + clientHost + "' (using password: YES): " + f.getMessage()));
            }
            return Future.failedFuture(e);
        });
        return new Step(List.of(), null, verifying);
    }

    private Step done(List<Buffer> replies) {
        expect = Expect.DONE;
        return new Step(replies, authenticator.provenAccount(account.orElseThrow()));
    }

    private Step deny(boolean usingPassword) {
        throw VeilException.fatal(ErrorCode.AUTH_FAILED, "Access denied for user '" + user + "'@'" + clientHost
                + "' (using password: " + (usingPassword ? "YES" : "NO") + ")");
    }

    String user() {
        return user;
    }
}
