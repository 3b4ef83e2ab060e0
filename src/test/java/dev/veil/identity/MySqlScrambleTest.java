package dev.veil.identity;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The two scramble exchanges, against the documented formulas (dev.mysql.com "Native Authentication" and
 * "caching_sha2_password information") computed here independently with {@link MessageDigest}, and against
 * vectors published by other implementations.
 */
class MySqlScrambleTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] NONCE = "ABCDEFGHIJKLMNOPQRST".getBytes(StandardCharsets.US_ASCII);

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

    /** SHA1(password) XOR SHA1(nonce <concat> SHA1(SHA1(password))). */
    private static byte[] nativeByFormula(String password, byte[] nonce) throws Exception {
        byte[] pw = password.getBytes(StandardCharsets.UTF_8);
        return xor(sha("SHA-1", pw), sha("SHA-1", nonce, sha("SHA-1", sha("SHA-1", pw))));
    }

    /** XOR(SHA256(password), SHA256(SHA256(SHA256(password)), nonce)). */
    private static byte[] sha2ByFormula(String password, byte[] nonce) throws Exception {
        byte[] pw = password.getBytes(StandardCharsets.UTF_8);
        return xor(sha("SHA-256", pw), sha("SHA-256", sha("SHA-256", sha("SHA-256", pw)), nonce));
    }

    @Test
    void nativePasswordFollowsTheDocumentedFormula() throws Exception {
        Random random = new Random(42);
        for (String pw : new String[]{"secret", "pässwörd", "x", "a much longer passphrase with spaces"}) {
            byte[] nonce = new byte[20];
            random.nextBytes(nonce);
            assertThat(MySqlScramble.nativePassword(pw, nonce)).as(pw).isEqualTo(nativeByFormula(pw, nonce));
        }
    }

    @Test
    void nativePasswordMatchesPublishedVectors() {
        // xp-framework/rdbms MySqlPasswordTest::protocol41: scramble('hello', '12345678901234567890').
        assertThat(HEX.formatHex(MySqlScramble.nativePassword("hello", "12345678901234567890".getBytes(StandardCharsets.US_ASCII))))
                .isEqualTo("7d50516e0e730b0b1b12fbaa1ba0876f3db2c4dd");
        // flike/kingshard util_test.go TestCalcPassword, a seed and answer captured from MySQL Connector/J.
        assertThat(HEX.formatHex(MySqlScramble.nativePassword("kingshard", "@jx=d_3z42;sS$YrS)p|".getBytes(StandardCharsets.US_ASCII))))
                .isEqualTo("fbc71db5ac3d7b51048d1a1d88c1677f34bcca11");
    }

    @Test
    void cachingSha2FollowsTheDocumentedFormula() throws Exception {
        Random random = new Random(7);
        for (String pw : new String[]{"secret", "pässwörd", "x", "a much longer passphrase with spaces"}) {
            byte[] nonce = new byte[20];
            random.nextBytes(nonce);
            assertThat(MySqlScramble.cachingSha2(pw, nonce)).as(pw).isEqualTo(sha2ByFormula(pw, nonce));
        }
    }

    @Test
    void cachingSha2MatchesPublishedVectors() {
        // go-sql-driver/mysql auth_test.go TestSHA256Pass.
        byte[] nonce = {10, 47, 74, 111, 75, 73, 34, 48, 88, 76, 114, 74, 37, 13, 3, 80, 82, 2, 23, 21};
        assertThat(HEX.formatHex(MySqlScramble.cachingSha2("secret", nonce)))
                .isEqualTo("f490e76f66d9d86665ce54d98c78d0acfe2fb0b08b423da807144873d30b312c");
        assertThat(HEX.formatHex(MySqlScramble.cachingSha2("secret2", nonce)))
                .isEqualTo("abc3934a012cf342e876071c8ee202de51785b430258a7a0138bc79c4d800bc6");
    }

    @Test
    void storesWhatTheServersStore() {
        // mysql.user.authentication_string of mysql_native_password is '*' + hex(SHA1(SHA1(pw))), e.g. the
        // widely published *2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19 for 'password'.
        MySqlScramble.Verifier v = MySqlScramble.Verifier.derive("password");
        assertThat(HEX.withUpperCase().formatHex(v.nativeHash())).isEqualTo("2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19");
        assertThat(HEX.withUpperCase().formatHex(MySqlScramble.Verifier.derive("secret").nativeHash()))
                .isEqualTo("14E65567ABDB5135D0CFD9A70B3032C179A49EE7");
        assertThat(v.sha2Hash()).hasSize(32);
    }

    @Test
    void answersAnEmptyPasswordWithAnEmptyResponse() {
        assertThat(MySqlScramble.nativePassword("", NONCE)).isEmpty();
        assertThat(MySqlScramble.nativePassword(null, NONCE)).isEmpty();
        assertThat(MySqlScramble.cachingSha2("", NONCE)).isEmpty();
    }

    @Test
    void ignoresTheNulSomeServersAppendToTheNonce() throws Exception {
        byte[] withNul = Arrays.copyOf(NONCE, 21);
        assertThat(MySqlScramble.nativePassword("secret", withNul)).isEqualTo(nativeByFormula("secret", NONCE));
        assertThat(MySqlScramble.cachingSha2("secret", withNul)).isEqualTo(sha2ByFormula("secret", NONCE));
    }

    @Test
    void verifiesANativeResponseOnlyForTheRightPasswordAndNonce() throws Exception {
        MySqlScramble.Verifier v = MySqlScramble.Verifier.derive("secret");
        byte[] right = nativeByFormula("secret", NONCE);
        assertThat(MySqlScramble.verifyNative(v, NONCE, right)).isTrue();
        assertThat(MySqlScramble.verifyNative(v, Arrays.copyOf(NONCE, 21), right)).as("nonce with its NUL").isTrue();
        assertThat(MySqlScramble.verifyNative(v, NONCE, nativeByFormula("Secret", NONCE))).as("wrong password").isFalse();
        byte[] otherNonce = NONCE.clone();
        otherNonce[19] ^= 1;
        assertThat(MySqlScramble.verifyNative(v, otherNonce, right)).as("replayed against another nonce").isFalse();
        assertThat(MySqlScramble.verifyNative(v, NONCE, Arrays.copyOf(right, 19))).as("19 bytes").isFalse();
        assertThat(MySqlScramble.verifyNative(v, NONCE, Arrays.copyOf(right, 21))).as("21 bytes").isFalse();
        assertThat(MySqlScramble.verifyNative(v, NONCE, new byte[0])).as("no password").isFalse();
        assertThat(MySqlScramble.verifyNative(v, NONCE, sha2ByFormula("secret", NONCE))).as("a sha2 answer").isFalse();
    }

    @Test
    void verifiesACachingSha2ResponseOnlyForTheRightPasswordAndNonce() throws Exception {
        MySqlScramble.Verifier v = MySqlScramble.Verifier.derive("secret");
        byte[] right = sha2ByFormula("secret", NONCE);
        assertThat(MySqlScramble.verifyCachingSha2(v, NONCE, right)).isTrue();
        assertThat(MySqlScramble.verifyCachingSha2(v, Arrays.copyOf(NONCE, 21), right)).as("nonce with its NUL").isTrue();
        assertThat(MySqlScramble.verifyCachingSha2(v, NONCE, sha2ByFormula("secreT", NONCE))).as("wrong password").isFalse();
        byte[] otherNonce = NONCE.clone();
        otherNonce[0] ^= 1;
        assertThat(MySqlScramble.verifyCachingSha2(v, otherNonce, right)).as("replayed against another nonce").isFalse();
        assertThat(MySqlScramble.verifyCachingSha2(v, NONCE, Arrays.copyOf(right, 31))).as("31 bytes").isFalse();
        assertThat(MySqlScramble.verifyCachingSha2(v, NONCE, Arrays.copyOf(right, 33))).as("33 bytes").isFalse();
        assertThat(MySqlScramble.verifyCachingSha2(v, NONCE, new byte[0])).as("no password").isFalse();
        assertThat(MySqlScramble.verifyCachingSha2(v, NONCE, nativeByFormula("secret", NONCE))).as("a native answer").isFalse();
    }

    @Test
    void verifiesWhatTheScrambleFunctionsProduce() {
        MySqlScramble.Verifier v = MySqlScramble.Verifier.derive("pässwörd");
        assertThat(MySqlScramble.verifyNative(v, NONCE, MySqlScramble.nativePassword("pässwörd", NONCE))).isTrue();
        assertThat(MySqlScramble.verifyCachingSha2(v, NONCE, MySqlScramble.cachingSha2("pässwörd", NONCE))).isTrue();
    }
}
