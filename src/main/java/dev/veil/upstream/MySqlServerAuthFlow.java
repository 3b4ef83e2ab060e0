package dev.veil.upstream;

import dev.veil.protocol.mysql.AuthMoreData;
import dev.veil.protocol.mysql.AuthSwitchRequest;
import dev.veil.protocol.mysql.ErrPacket;
import dev.veil.protocol.mysql.OkPacket;
import dev.veil.identity.MySqlScramble;
import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;

/**
 * Veil's side of authentication with a MySQL or MariaDB server (dev.mysql.com "Authentication Methods"):
 * mysql_native_password, caching_sha2_password (fast path, and full authentication with the password sent
 * inside TLS), and mysql_clear_password inside TLS, following AuthSwitchRequest as servers ask.
 *
 * <p>caching_sha2_password's full authentication over plain TCP would need the server's RSA key; Veil
 * refuses that path rather than fetch an unauthenticated key (configure TLS to the upstream instead).
 */
final class MySqlServerAuthFlow {
    /** What to send next ({@code reply}), or that the server accepted us ({@code done}). */
    record Step(Buffer reply, boolean done) {
    }

    static final String NATIVE = "mysql_native_password";
    static final String CACHING_SHA2 = "caching_sha2_password";
    static final String CLEAR = "mysql_clear_password";

    private final String upstreamName;
    private final String password;
    private final boolean tls;
    private String plugin;
    private byte[] nonce;

    MySqlServerAuthFlow(String upstreamName, String password, boolean tls) {
        this.upstreamName = upstreamName;
        this.password = password == null ? "" : password;
        this.tls = tls;
    }

    /** The auth response that goes into the handshake response, for the plugin the server named. */
    byte[] initial(String serverPlugin, byte[] serverNonce) {
        // An unknown default plugin is answered with mysql_native_password; the server then switches to the
        // account's plugin, or refuses with its own clear error.
        this.plugin = switch (serverPlugin) {
            case NATIVE, CACHING_SHA2 -> serverPlugin;
            default -> NATIVE;
        };
        this.nonce = serverNonce;
        return scramble();
    }

    /** The plugin named in the handshake response: the server's, when Veil can speak it. */
    String pluginName() {
        return plugin;
    }

    Step onPacket(Buffer payload) {
        int header = payload.length() == 0 ? -1 : payload.getUnsignedByte(0);
        switch (header) {
            case OkPacket.HEADER:
                return new Step(null, true);
            case ErrPacket.HEADER: {
                ErrPacket err = ErrPacket.decode(payload, true);
                throw new UpstreamException("upstream " + upstreamName + " refused the connection: " + err.message(), err);
            }
            case AuthSwitchRequest.HEADER: {
                AuthSwitchRequest sw = AuthSwitchRequest.decode(payload);
                plugin = sw.pluginName();
                nonce = sw.pluginData();
                return new Step(Buffer.buffer(scramble()), false);
            }
            case AuthMoreData.HEADER: {
                byte[] data = AuthMoreData.decode(payload).data();
                if (CACHING_SHA2.equals(plugin) && data.length == 1 && data[0] == AuthMoreData.FAST_AUTH_SUCCESS) {
                    return new Step(null, false);
                }
                if (CACHING_SHA2.equals(plugin) && data.length == 1 && data[0] == AuthMoreData.PERFORM_FULL_AUTHENTICATION) {
                    if (!tls) {
                        throw new UpstreamException("upstream " + upstreamName + " asks for caching_sha2_password full "
                                + "authentication, which Veil performs only over TLS: set the upstream's tls mode to "
                                + "require or verify-full (or log in once over TLS so the server caches the password)");
                    }
                    return new Step(Buffer.buffer(cleartext()), false);
                }
                throw new UpstreamException("upstream " + upstreamName + " sent unexpected authentication data for plugin " + plugin);
            }
            default:
                throw new UpstreamException("upstream " + upstreamName + " sent an unexpected packet during authentication");
        }
    }

    private byte[] scramble() {
        return switch (plugin) {
            case NATIVE -> MySqlScramble.nativePassword(password, nonce);
            case CACHING_SHA2 -> MySqlScramble.cachingSha2(password, nonce);
            case CLEAR -> {
                if (!tls) {
                    throw new UpstreamException("upstream " + upstreamName + " asks for mysql_clear_password over plain TCP; "
                            + "Veil sends passwords in clear only inside TLS");
                }
                yield cleartext();
            }
            default -> throw new UpstreamException("upstream " + upstreamName + " wants authentication plugin " + plugin
                    + ", which Veil does not support (use mysql_native_password or caching_sha2_password for Veil's account)");
        };
    }

    private byte[] cleartext() {
        byte[] pw = password.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[pw.length + 1];
        System.arraycopy(pw, 0, out, 0, pw.length);
        return out;
    }
}
