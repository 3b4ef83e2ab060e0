package dev.veil.upstream;

import com.ongres.scram.common.ScramFunctions;
import com.ongres.scram.common.exception.ScramInvalidServerSignatureException;
import dev.veil.protocol.pg.Authentication;
import dev.veil.protocol.pg.FrontendMessage;
import dev.veil.protocol.pg.PgFrame;
import dev.veil.identity.ScramVerifier;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Veil authenticating to a PostgreSQL server as a client. */
class PgServerAuthFlowTest {
    private static final byte[] SALT = {1, 2, 3, 4};

    /**
     * The docs' formula, concat('md5', md5(concat(md5(concat(password, username)), random-salt))), computed
     * independently:
     * <pre>
     * python3 -c "import hashlib; i = hashlib.md5(b'secret' + b'postgres').hexdigest();
     *             print('md5' + hashlib.md5(i.encode() + bytes([1, 2, 3, 4])).hexdigest())"
     * </pre>
     * (the inner digest is 53f48b7c4b76a86ce72276c5755f217d, which is also what pg_authid stores after "md5").
     */
    private static final String MD5_ANSWER = "md5bb41a296aab6baccb36ff243a562abff";

    private static String password(Buffer message) {
        assertThat(message.getByte(0)).isEqualTo((byte) 'p');
        return FrontendMessage.PasswordMessage.decode(PgFrame.of(message)).password();
    }

    @Test
    void answersMd5WithTheDocumentedFormula() throws Exception {
        assertThat(PgServerAuthFlow.md5Answer("postgres", "secret", SALT)).isEqualTo(MD5_ANSWER);
    }

    @Test
    void saltsTheMd5Answer() throws Exception {
        assertThat(PgServerAuthFlow.md5Answer("postgres", "secret", new byte[]{1, 2, 3, 5})).isNotEqualTo(MD5_ANSWER);
    }

    @Test
    void sendsTheMd5AnswerInAPasswordMessage() throws Exception {
        Buffer reply = new PgServerAuthFlow("postgres", "secret").answer(new Authentication.AuthenticationMD5Password(SALT));
        assertThat(password(reply)).isEqualTo(MD5_ANSWER);
    }

    @Test
    void sendsTheCleartextPasswordOnlyWhenAskedForIt() throws Exception {
        Buffer reply = new PgServerAuthFlow("postgres", "secret").answer(new Authentication.AuthenticationCleartextPassword());
        assertThat(password(reply)).isEqualTo("secret");
    }

    @Test
    void sendsNothingForAuthenticationOk() throws Exception {
        assertThat(new PgServerAuthFlow("postgres", null).answer(new Authentication.AuthenticationOk())).isNull();
    }

    @Test
    void refusesToAnswerAPasswordRequestWithoutAPassword() {
        assertThatThrownBy(() -> new PgServerAuthFlow("postgres", null).answer(new Authentication.AuthenticationCleartextPassword()))
                .isInstanceOf(UpstreamException.class).hasMessageContaining("postgres");
    }

    @Test
    void refusesMethodsItDoesNotSpeakNamingTheCode() {
        assertThatThrownBy(() -> new PgServerAuthFlow("postgres", "secret").answer(new Authentication.AuthenticationOther(7)))
                .isInstanceOf(UpstreamException.class).hasMessageContaining("code 7");
    }

    @Test
    void refusesASaslContinueBeforeSasl() {
        assertThatThrownBy(() -> new PgServerAuthFlow("postgres", "secret")
                .answer(new Authentication.AuthenticationSASLContinue("r=x,s=AAAA,i=4096".getBytes())))
                .isInstanceOf(UpstreamException.class);
    }

    @Test
    void completesScramWithAServerThatKnowsTheVerifier() throws Exception {
        Server server = new Server(ScramVerifier.derive("secret", 4096, new SecureRandom()));
        PgServerAuthFlow flow = new PgServerAuthFlow("postgres", "secret");

        Buffer initial = flow.answer(new Authentication.AuthenticationSASL(List.of("SCRAM-SHA-256-PLUS", "SCRAM-SHA-256")));
        FrontendMessage.SASLInitialResponse first = FrontendMessage.SASLInitialResponse.decode(PgFrame.of(initial));
        assertThat(first.mechanism()).as("no channel binding: the PLUS variant is skipped").isEqualTo("SCRAM-SHA-256");
        assertThat(new String(first.data(), StandardCharsets.UTF_8)).startsWith("n,,");

        Buffer response = flow.answer(new Authentication.AuthenticationSASLContinue(server.first(first.data())));
        byte[] serverFinal = server.last(FrontendMessage.SASLResponse.decode(PgFrame.of(response)).data());

        assertThat(flow.answer(new Authentication.AuthenticationSASLFinal(serverFinal))).isNull();
    }

    @Test
    void rejectsAServerWhoseSignatureIsWrong() throws Exception {
        Server server = new Server(ScramVerifier.derive("secret", 4096, new SecureRandom()));
        PgServerAuthFlow flow = new PgServerAuthFlow("postgres", "secret");
        Buffer initial = flow.answer(new Authentication.AuthenticationSASL(List.of("SCRAM-SHA-256")));
        Buffer response = flow.answer(new Authentication.AuthenticationSASLContinue(
                server.first(FrontendMessage.SASLInitialResponse.decode(PgFrame.of(initial)).data())));
        server.last(FrontendMessage.SASLResponse.decode(PgFrame.of(response)).data());

        byte[] forged = ("v=" + Base64.getEncoder().encodeToString(new byte[32])).getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> flow.answer(new Authentication.AuthenticationSASLFinal(forged)))
                .isInstanceOf(ScramInvalidServerSignatureException.class);
    }

    /** A minimal SCRAM-SHA-256 server (RFC 5802 section 3) written from the RFC for this test only. */
    private static final class Server {
        private final ScramVerifier verifier;
        private String clientFirstBare;
        private String serverFirst;

        Server(ScramVerifier verifier) {
            this.verifier = verifier;
        }

        byte[] first(byte[] clientFirst) {
            String msg = new String(clientFirst, StandardCharsets.UTF_8);
            assertThat(msg).startsWith("n,,");
            clientFirstBare = msg.substring(3);
            String nonce = clientFirstBare.substring(clientFirstBare.indexOf("r=") + 2);
            serverFirst = "r=" + nonce + "servernonce,s=" + Base64.getEncoder().encodeToString(verifier.salt())
                    + ",i=" + verifier.iterations();
            return serverFirst.getBytes(StandardCharsets.UTF_8);
        }

        byte[] last(byte[] clientFinal) {
            String msg = new String(clientFinal, StandardCharsets.UTF_8);
            int p = msg.lastIndexOf(",p=");
            String authMessage = clientFirstBare + "," + serverFirst + "," + msg.substring(0, p);
            byte[] proof = Base64.getDecoder().decode(msg.substring(p + 3));
            assertThat(ScramFunctions.verifyClientProof(ScramVerifier.MECHANISM, proof, verifier.storedKey(), authMessage))
                    .as("the client proves the password").isTrue();
            byte[] signature = ScramFunctions.serverSignature(ScramVerifier.MECHANISM, verifier.serverKey(), authMessage);
            return ("v=" + Base64.getEncoder().encodeToString(signature)).getBytes(StandardCharsets.UTF_8);
        }
    }
}
