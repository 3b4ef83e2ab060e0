package dev.veil.upstream;

import dev.veil.protocol.mysql.AuthMoreData;
import dev.veil.protocol.mysql.AuthSwitchRequest;
import dev.veil.protocol.mysql.ErrPacket;
import dev.veil.protocol.mysql.OkPacket;
import dev.veil.protocol.mysql.ServerStatus;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Veil authenticating to a MySQL or MariaDB server as a client (dev.mysql.com "Authentication Methods",
 * "caching_sha2_password information"), driven with the packets a server sends.
 */
class MySqlServerAuthFlowTest {
    private static final String PASSWORD = "upstream-secret";
    private static final byte[] HANDSHAKE_NONCE = "ABCDEFGHIJKLMNOPQRST".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SWITCH_NONCE = "abcdefghijklmnopqrst".getBytes(StandardCharsets.US_ASCII);

    private static byte[] sha(String algorithm, byte[]... parts) throws Exception {
        MessageDigest md = MessageDigest.getInstance(algorithm);
        for (byte[] p : parts) {
            md.update(p);
        }
        return md.digest();
    }

    private static byte[] xor(byte[] a, byte[] b) {
        byte[] out = new byte[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = (byte) (a[i] ^ b[i]);
        }
        return out;
    }

    /** SHA1(pw) XOR SHA1(nonce + SHA1(SHA1(pw))), computed here from the documented formula. */
    private static byte[] nativeAnswer(byte[] nonce) throws Exception {
        byte[] pw = PASSWORD.getBytes(StandardCharsets.UTF_8);
        return xor(sha("SHA-1", pw), sha("SHA-1", nonce, sha("SHA-1", sha("SHA-1", pw))));
    }

    /** SHA256(pw) XOR SHA256(SHA256(SHA256(pw)) + nonce). */
    private static byte[] sha2Answer(byte[] nonce) throws Exception {
        byte[] pw = PASSWORD.getBytes(StandardCharsets.UTF_8);
        return xor(sha("SHA-256", pw), sha("SHA-256", sha("SHA-256", sha("SHA-256", pw)), nonce));
    }

    private static Buffer ok() {
        return new OkPacket(0, 0, ServerStatus.AUTOCOMMIT, 0, "").encode(false);
    }

    /** As servers send it: the nonce followed by a NUL. */
    private static Buffer authSwitch(String plugin, byte[] nonce) {
        return new AuthSwitchRequest(plugin, Arrays.copyOf(nonce, nonce.length + 1)).encode();
    }

    private static Buffer moreData(byte verdict) {
        return new AuthMoreData(new byte[]{verdict}).encode();
    }

    private static UpstreamException refusal(Runnable r) {
        UpstreamException e = catchThrowableOfType(r::run, UpstreamException.class);
        assertThat(e).as("refused").isNotNull();
        return e;
    }

    private static MySqlServerAuthFlow flow(boolean tls) {
        return new MySqlServerAuthFlow("shop-db", PASSWORD, tls);
    }

    @Test
    void answersTheHandshakeWithTheScrambleOfTheServersPlugin() throws Exception {
        MySqlServerAuthFlow f = flow(false);
        assertThat(f.initial("mysql_native_password", HANDSHAKE_NONCE)).isEqualTo(nativeAnswer(HANDSHAKE_NONCE));
        assertThat(f.pluginName()).isEqualTo("mysql_native_password");
        MySqlServerAuthFlow g = flow(false);
        assertThat(g.initial("caching_sha2_password", HANDSHAKE_NONCE)).isEqualTo(sha2Answer(HANDSHAKE_NONCE));
        assertThat(g.pluginName()).isEqualTo("caching_sha2_password");
    }

    @Test
    void answersAnUnknownDefaultPluginWithNativePasswordAndLetsTheServerSwitch() throws Exception {
        MySqlServerAuthFlow f = flow(false);
        assertThat(f.initial("auth_gssapi_client", HANDSHAKE_NONCE)).isEqualTo(nativeAnswer(HANDSHAKE_NONCE));
        assertThat(f.pluginName()).isEqualTo("mysql_native_password");
    }

    @Test
    void answersWithAnEmptyResponseWhenTheAccountHasNoPassword() {
        MySqlServerAuthFlow f = new MySqlServerAuthFlow("shop-db", null, false);
        assertThat(f.initial("mysql_native_password", HANDSHAKE_NONCE)).isEmpty();
    }

    @Test
    void isDoneAtTheServersOk() {
        MySqlServerAuthFlow f = flow(false);
        f.initial("mysql_native_password", HANDSHAKE_NONCE);
        MySqlServerAuthFlow.Step step = f.onPacket(ok());
        assertThat(step.done()).isTrue();
        assertThat(step.reply()).isNull();
    }

    @Test
    void carriesTheServersErrPacketWhenItRefuses() {
        MySqlServerAuthFlow f = flow(false);
        f.initial("mysql_native_password", HANDSHAKE_NONCE);
        ErrPacket err = new ErrPacket(1045, "28000", "Access denied for user 'veil'@'10.0.0.2' (using password: YES)");
        UpstreamException e = refusal(() -> f.onPacket(err.encode()));
        assertThat(e.mysqlServerError()).isEqualTo(err);
        assertThat(e.getMessage()).contains("shop-db").contains("Access denied for user 'veil'");
    }

    @Test
    void answersASwitchToNativePasswordWithTheScrambleOfTheNewNonce() throws Exception {
        MySqlServerAuthFlow f = flow(false);
        f.initial("caching_sha2_password", HANDSHAKE_NONCE);
        MySqlServerAuthFlow.Step step = f.onPacket(authSwitch("mysql_native_password", SWITCH_NONCE));
        assertThat(step.done()).isFalse();
        assertThat(step.reply().getBytes()).isEqualTo(nativeAnswer(SWITCH_NONCE)).isNotEqualTo(nativeAnswer(HANDSHAKE_NONCE));
        assertThat(f.onPacket(ok()).done()).isTrue();
    }

    @Test
    void answersASwitchToCachingSha2WithTheScrambleOfTheNewNonce() throws Exception {
        MySqlServerAuthFlow f = flow(false);
        f.initial("mysql_native_password", HANDSHAKE_NONCE);
        MySqlServerAuthFlow.Step step = f.onPacket(authSwitch("caching_sha2_password", SWITCH_NONCE));
        assertThat(step.done()).isFalse();
        assertThat(step.reply().getBytes()).isEqualTo(sha2Answer(SWITCH_NONCE));
    }

    @Test
    void waitsForTheOkAfterCachingSha2FastAuthentication() {
        MySqlServerAuthFlow f = flow(false);
        f.initial("caching_sha2_password", HANDSHAKE_NONCE);
        MySqlServerAuthFlow.Step fast = f.onPacket(moreData(AuthMoreData.FAST_AUTH_SUCCESS));
        assertThat(fast.done()).isFalse();
        assertThat(fast.reply()).isNull();
        assertThat(f.onPacket(ok()).done()).isTrue();
    }

    @Test
    void refusesCachingSha2FullAuthenticationWithoutTls() {
        MySqlServerAuthFlow f = flow(false);
        f.initial("caching_sha2_password", HANDSHAKE_NONCE);
        UpstreamException e = refusal(() -> f.onPacket(moreData(AuthMoreData.PERFORM_FULL_AUTHENTICATION)));
        assertThat(e.getMessage()).contains("shop-db").contains("full authentication").contains("TLS");
        assertThat(e.mysqlServerError()).isNull();
    }

    @Test
    void sendsThePasswordNulTerminatedForCachingSha2FullAuthenticationInsideTls() {
        MySqlServerAuthFlow f = flow(true);
        f.initial("caching_sha2_password", HANDSHAKE_NONCE);
        MySqlServerAuthFlow.Step step = f.onPacket(moreData(AuthMoreData.PERFORM_FULL_AUTHENTICATION));
        assertThat(step.done()).isFalse();
        assertThat(step.reply().getBytes()).isEqualTo((PASSWORD + "\0").getBytes(StandardCharsets.UTF_8));
        assertThat(f.onPacket(ok()).done()).isTrue();
    }

    @Test
    void refusesASwitchToClearPasswordWithoutTls() {
        MySqlServerAuthFlow f = flow(false);
        f.initial("mysql_native_password", HANDSHAKE_NONCE);
        UpstreamException e = refusal(() -> f.onPacket(new AuthSwitchRequest("mysql_clear_password", new byte[0]).encode()));
        assertThat(e.getMessage()).contains("mysql_clear_password").contains("TLS");
    }

    @Test
    void sendsThePasswordNulTerminatedOnASwitchToClearPasswordInsideTls() {
        MySqlServerAuthFlow f = flow(true);
        f.initial("mysql_native_password", HANDSHAKE_NONCE);
        MySqlServerAuthFlow.Step step = f.onPacket(new AuthSwitchRequest("mysql_clear_password", new byte[0]).encode());
        assertThat(step.reply().getBytes()).isEqualTo((PASSWORD + "\0").getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void refusesASwitchToAPluginVeilDoesNotSpeak() {
        for (String plugin : new String[]{"sha256_password", "client_ed25519", "auth_gssapi_client", "mysql_old_password"}) {
            MySqlServerAuthFlow f = flow(true);
            f.initial("mysql_native_password", HANDSHAKE_NONCE);
            UpstreamException e = refusal(() -> f.onPacket(authSwitch(plugin, SWITCH_NONCE)));
            assertThat(e.getMessage()).as(plugin).contains(plugin).contains("does not support");
        }
    }

    @Test
    void refusesCachingSha2DataUnderAnotherPlugin() {
        MySqlServerAuthFlow f = flow(true);
        f.initial("mysql_native_password", HANDSHAKE_NONCE);
        assertThat(refusal(() -> f.onPacket(moreData(AuthMoreData.FAST_AUTH_SUCCESS))).getMessage())
                .contains("unexpected authentication data");
    }

    @Test
    void refusesAnRsaKeyOrOtherAuthenticationData() {
        MySqlServerAuthFlow f = flow(false);
        f.initial("caching_sha2_password", HANDSHAKE_NONCE);
        Buffer key = new AuthMoreData("-----BEGIN PUBLIC KEY-----\n...".getBytes(StandardCharsets.US_ASCII)).encode();
        assertThat(refusal(() -> f.onPacket(key)).getMessage()).contains("unexpected authentication data");
    }

    @Test
    void refusesAPacketThatIsNoPartOfAuthentication() {
        MySqlServerAuthFlow f = flow(false);
        f.initial("mysql_native_password", HANDSHAKE_NONCE);
        assertThat(refusal(() -> f.onPacket(Buffer.buffer(new byte[]{0x02, 0x00}))).getMessage()).contains("unexpected packet");
        assertThat(refusal(() -> f.onPacket(Buffer.buffer())).getMessage()).contains("unexpected packet");
    }
}
