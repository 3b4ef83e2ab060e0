package dev.veil.frontend.pg;

import com.ongres.scram.client.ScramClient;
import com.ongres.scram.common.StringPreparation;
import com.ongres.scram.common.exception.ScramInvalidServerSignatureException;
import dev.veil.identity.ScramVerifier;
import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Veil's server side of SCRAM-SHA-256, driven by a real client (com.ongres.scram, as pgjdbc uses). */
class PgScramExchangeTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ScramVerifier SECRET = ScramVerifier.derive("secret", 4096, RANDOM);

    private static ScramClient client(String password) {
        return ScramClient.builder()
                .advertisedMechanisms(List.of(PgScramExchange.MECHANISM))
                .username("alice")
                .password(password.toCharArray())
                .stringPreparation(StringPreparation.POSTGRESQL_PREPARATION)
                .build();
    }

    private static byte[] utf8(Object message) {
        return message.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Runs the exchange up to the client-final-message, which is returned unsent. */
    private static String clientFinal(ScramClient client, PgScramExchange server) throws Exception {
        byte[] serverFirst = server.clientFirst(utf8(client.clientFirstMessage()));
        client.serverFirstMessage(text(serverFirst));
        return client.clientFinalMessage().toString();
    }

    private static void assertFails(ThrowingRunnable r, ErrorCode code, String messagePart) {
        assertThatThrownBy(r::run).isInstanceOfSatisfying(VeilException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.fatal()).isTrue();
            assertThat(e.getMessage()).contains(messagePart);
        });
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Nested
    class Success {
        @Test
        void acceptsTheRightPasswordAndProvesItKnowsTheVerifier() throws Exception {
            ScramClient client = client("secret");
            PgScramExchange server = new PgScramExchange(SECRET, true, RANDOM);

            byte[] serverFinal = server.clientFinal(utf8(clientFinal(client, server)), "alice");

            // serverFinalMessage throws ScramInvalidServerSignatureException unless v= matches what the
            // client computes from the password.
            assertThat(client.serverFinalMessage(text(serverFinal)).isError()).isFalse();
            assertThat(text(serverFinal)).startsWith("v=");
        }

        @Test
        void offersTheVerifiersSaltAndIterationsAndExtendsTheClientNonce() throws Exception {
            ScramClient client = client("secret");
            PgScramExchange server = new PgScramExchange(SECRET, true, RANDOM);
            var clientFirst = client.clientFirstMessage();
            String clientNonce = clientFirst.getClientNonce();

            String serverFirst = text(server.clientFirst(utf8(clientFirst)));

            String[] parts = serverFirst.split(",");
            assertThat(parts).hasSize(3);
            assertThat(parts[0]).startsWith("r=" + clientNonce).hasSizeGreaterThan(2 + clientNonce.length() + 16);
            assertThat(parts[1]).isEqualTo("s=" + Base64.getEncoder().encodeToString(SECRET.salt()));
            assertThat(parts[2]).isEqualTo("i=4096");
        }

        @Test
        void choosesAFreshServerNonceForEveryExchange() {
            byte[] clientFirst = "n,,n=,r=fixedclientnonce".getBytes(StandardCharsets.UTF_8);
            String first = text(new PgScramExchange(SECRET, true, RANDOM).clientFirst(clientFirst));
            String second = text(new PgScramExchange(SECRET, true, RANDOM).clientFirst(clientFirst));
            assertThat(first).isNotEqualTo(second);
        }

        @Test
        void ignoresTheUserNameInsideTheScramMessage() throws Exception {
            // libpq and pgjdbc send n= empty or any name; the startup packet's user is the one that counts.
            ScramClient client = ScramClient.builder()
                    .advertisedMechanisms(List.of(PgScramExchange.MECHANISM))
                    .username("somebody-else")
                    .password("secret".toCharArray())
                    .stringPreparation(StringPreparation.POSTGRESQL_PREPARATION)
                    .build();
            PgScramExchange server = new PgScramExchange(SECRET, true, RANDOM);

            byte[] serverFinal = server.clientFinal(utf8(clientFinal(client, server)), "alice");
            assertThat(client.serverFinalMessage(text(serverFinal)).isError()).isFalse();
        }

        @Test
        void acceptsAClientThatSupportsChannelBindingButThinksTheServerDoesNot() throws Exception {
            // GS2 flag "y": Veil does not advertise SCRAM-SHA-256-PLUS, so this is not a downgrade.
            ScramClient client = ScramClient.builder()
                    .advertisedMechanisms(List.of(PgScramExchange.MECHANISM))
                    .username("alice")
                    .password("secret".toCharArray())
                    .channelBinding("tls-server-end-point", new byte[32])
                    .stringPreparation(StringPreparation.POSTGRESQL_PREPARATION)
                    .build();
            var clientFirst = client.clientFirstMessage();
            assertThat(clientFirst.toString()).startsWith("y,");
            PgScramExchange server = new PgScramExchange(SECRET, true, RANDOM);

            client.serverFirstMessage(text(server.clientFirst(utf8(clientFirst))));
            byte[] serverFinal = server.clientFinal(utf8(client.clientFinalMessage()), "alice");
            assertThat(client.serverFinalMessage(text(serverFinal)).isError()).isFalse();
        }

        @Test
        void signsWithTheServerKeySoAServerWithoutItIsCaught() throws Exception {
            // The client checks v=: a server-final from an exchange with a different verifier is refused.
            ScramVerifier other = ScramVerifier.derive("secret", SECRET.salt(), 4096);
            ScramVerifier forged = new ScramVerifier(other.salt(), other.iterations(), other.storedKey(), new byte[32]);
            ScramClient client = client("secret");
            PgScramExchange server = new PgScramExchange(forged, true, RANDOM);

            byte[] serverFinal = server.clientFinal(utf8(clientFinal(client, server)), "alice");
            assertThatThrownBy(() -> client.serverFinalMessage(text(serverFinal)))
                    .isInstanceOf(ScramInvalidServerSignatureException.class);
        }
    }

    @Nested
    class Failure {
        @Test
        void refusesTheWrongPassword() throws Exception {
            ScramClient client = client("Secret");
            PgScramExchange server = new PgScramExchange(SECRET, true, RANDOM);
            String fin = clientFinal(client, server);

            assertFails(() -> server.clientFinal(utf8(fin), "alice"), ErrorCode.AUTH_FAILED,
                    "password authentication failed for user \"alice\"");
        }

        @Test
        void refusesAnUnknownUserEvenWithTheRightProof() throws Exception {
            ScramClient client = client("secret");
            PgScramExchange server = new PgScramExchange(SECRET, false, RANDOM);
            String fin = clientFinal(client, server);

            assertFails(() -> server.clientFinal(utf8(fin), "mallory"), ErrorCode.AUTH_FAILED,
                    "password authentication failed for user \"mallory\"");
        }

        @Test
        void failsAnUnknownUserAgainstADecoyOnlyAtTheProof() throws Exception {
            // Like LocalAccounts.decoy: real-looking salt and iterations, keys nobody can match.
            byte[] salt = new byte[16];
            RANDOM.nextBytes(salt);
            ScramVerifier decoy = new ScramVerifier(salt, 4096, new byte[32], new byte[32]);
            ScramClient client = client("anything");
            PgScramExchange server = new PgScramExchange(decoy, false, RANDOM);

            String fin = clientFinal(client, server);
            assertFails(() -> server.clientFinal(utf8(fin), "nobody"), ErrorCode.AUTH_FAILED, "nobody");
        }

        @Test
        void refusesATamperedProof() throws Exception {
            ScramClient client = client("secret");
            PgScramExchange server = new PgScramExchange(SECRET, true, RANDOM);
            String fin = clientFinal(client, server);
            int p = fin.lastIndexOf(",p=");
            byte[] proof = Base64.getDecoder().decode(fin.substring(p + 3));
            proof[0] ^= 1;
            String tampered = fin.substring(0, p) + ",p=" + Base64.getEncoder().encodeToString(proof);

            assertFails(() -> server.clientFinal(utf8(tampered), "alice"), ErrorCode.AUTH_FAILED, "alice");
        }

        @Test
        void refusesAProofOfTheWrongLength() throws Exception {
            ScramClient client = client("secret");
            PgScramExchange server = new PgScramExchange(SECRET, true, RANDOM);
            String fin = clientFinal(client, server);
            String shortProof = fin.substring(0, fin.lastIndexOf(",p=")) + ",p=" + Base64.getEncoder().encodeToString(new byte[16]);

            assertFails(() -> server.clientFinal(utf8(shortProof), "alice"), ErrorCode.AUTH_FAILED, "alice");
        }

        @Test
        void refusesAClientAskingForChannelBinding() {
            ScramClient client = ScramClient.builder()
                    .advertisedMechanisms(List.of("SCRAM-SHA-256-PLUS"))
                    .username("alice")
                    .password("secret".toCharArray())
                    .channelBinding("tls-server-end-point", new byte[32])
                    .stringPreparation(StringPreparation.POSTGRESQL_PREPARATION)
                    .build();
            String first = client.clientFirstMessage().toString();
            assertThat(first).startsWith("p=tls-server-end-point,");
            PgScramExchange server = new PgScramExchange(SECRET, true, RANDOM);

            assertFails(() -> server.clientFirst(utf8(first)), ErrorCode.INVALID_AUTHORIZATION, "channel binding");
        }

        @Test
        void refusesATamperedNonce() throws Exception {
            ScramClient client = client("secret");
            PgScramExchange server = new PgScramExchange(SECRET, true, RANDOM);
            String fin = clientFinal(client, server);
            int r = fin.indexOf(",r=") + 3;
            int end = fin.indexOf(',', r);
            char last = fin.charAt(end - 1);
            String tampered = fin.substring(0, end - 1) + (last == 'A' ? 'B' : 'A') + fin.substring(end);

            assertFails(() -> server.clientFinal(utf8(tampered), "alice"), ErrorCode.PROTOCOL_VIOLATION, "nonce");
        }

        @Test
        void refusesChannelBindingDataThatDoesNotRepeatTheGs2Header() throws Exception {
            ScramClient client = client("secret");
            PgScramExchange server = new PgScramExchange(SECRET, true, RANDOM);
            String fin = clientFinal(client, server);
            assertThat(fin).startsWith("c=biws,");
            // "eSws" is base64 of "y,,": the client claims another GS2 header than it sent first.
            String tampered = "c=eSws," + fin.substring("c=biws,".length());

            assertFails(() -> server.clientFinal(utf8(tampered), "alice"), ErrorCode.PROTOCOL_VIOLATION, "channel binding");
        }

        @Test
        void refusesClientFinalBeforeClientFirst() {
            PgScramExchange server = new PgScramExchange(SECRET, true, RANDOM);
            assertFails(() -> server.clientFinal(utf8("c=biws,r=x,p=AAAA"), "alice"), ErrorCode.PROTOCOL_VIOLATION,
                    "before client-first-message");
        }

        @Test
        void refusesClientFinalWithoutProof() throws Exception {
            ScramClient client = client("secret");
            PgScramExchange server = new PgScramExchange(SECRET, true, RANDOM);
            String fin = clientFinal(client, server);
            String noProof = fin.substring(0, fin.lastIndexOf(",p="));

            assertFails(() -> server.clientFinal(utf8(noProof), "alice"), ErrorCode.PROTOCOL_VIOLATION, "no proof");
        }

        @Test
        void refusesAProofThatIsNotBase64() throws Exception {
            ScramClient client = client("secret");
            PgScramExchange server = new PgScramExchange(SECRET, true, RANDOM);
            String fin = clientFinal(client, server);
            String garbage = fin.substring(0, fin.lastIndexOf(",p=")) + ",p=!!!";

            assertFails(() -> server.clientFinal(utf8(garbage), "alice"), ErrorCode.PROTOCOL_VIOLATION, "base64");
        }

        @Test
        void refusesClientFirstWithoutGs2Header() {
            PgScramExchange server = new PgScramExchange(SECRET, true, RANDOM);
            assertFails(() -> server.clientFirst(utf8("r=abc")), ErrorCode.PROTOCOL_VIOLATION, "GS2 header");
        }

        @Test
        void refusesAnInvalidChannelBindingFlag() {
            PgScramExchange server = new PgScramExchange(SECRET, true, RANDOM);
            assertFails(() -> server.clientFirst(utf8("x,,n=,r=abc")), ErrorCode.PROTOCOL_VIOLATION, "channel binding flag");
        }

        @Test
        void refusesClientFirstWithoutNonce() {
            PgScramExchange server = new PgScramExchange(SECRET, true, RANDOM);
            assertFails(() -> server.clientFirst(utf8("n,,n=")), ErrorCode.PROTOCOL_VIOLATION, "nonce");
            assertFails(() -> new PgScramExchange(SECRET, true, RANDOM).clientFirst(utf8("n,,n=,r=")),
                    ErrorCode.PROTOCOL_VIOLATION, "nonce");
        }
    }

    @Nested
    class Verifier {
        @Test
        void matchesOnlyTheExactCleartextPassword() {
            assertThat(SECRET.matches("secret")).isTrue();
            assertThat(SECRET.matches("Secret")).isFalse();
            assertThat(SECRET.matches("secret ")).isFalse();
        }

        @Test
        void rejectsAnEmptyCleartextPassword() {
            // A client may send an empty PasswordMessage; that is a failed login, not an internal error.
            assertThat(SECRET.matches("")).isFalse();
        }

        @Test
        void derivesKeysByTheRfc5802Formulas() {
            // Computed independently with Python's hashlib:
            //   salted = hashlib.pbkdf2_hmac('sha256', b'secret', bytes(range(16)), 4096)
            //   stored = hashlib.sha256(hmac.new(salted, b'Client Key', 'sha256').digest()).hexdigest()
            //   server = hmac.new(salted, b'Server Key', 'sha256').hexdigest()
            byte[] salt = new byte[16];
            for (int i = 0; i < 16; i++) {
                salt[i] = (byte) i;
            }
            ScramVerifier v = ScramVerifier.derive("secret", salt, 4096);
            HexFormat hex = HexFormat.of();
            assertThat(hex.formatHex(v.storedKey())).isEqualTo("4c7a0f8684c0baaca842c2b87541e7714ce07c3f1f76686c80a661595a8d3f95");
            assertThat(hex.formatHex(v.serverKey())).isEqualTo("ed888730c8b639c5c646882e6f4dc4934e89459f5b9214ce742cc76b988f2e24");
            assertThat(v.iterations()).isEqualTo(4096);
        }

        @Test
        void drawsAFreshSixteenByteSaltPerDerivation() {
            ScramVerifier a = ScramVerifier.derive("secret", 4096, RANDOM);
            ScramVerifier b = ScramVerifier.derive("secret", 4096, RANDOM);
            assertThat(a.salt()).hasSize(16).isNotEqualTo(b.salt());
            assertThat(a.storedKey()).isNotEqualTo(b.storedKey());
        }
    }
}
