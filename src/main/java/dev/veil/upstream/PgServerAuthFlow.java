package dev.veil.upstream;

import com.ongres.scram.client.ScramClient;
import com.ongres.scram.common.StringPreparation;
import dev.veil.protocol.pg.Authentication;
import dev.veil.protocol.pg.FrontendMessage.PasswordMessage;
import dev.veil.protocol.pg.FrontendMessage.SASLInitialResponse;
import dev.veil.protocol.pg.FrontendMessage.SASLResponse;
import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Veil as a client authenticating to a PostgreSQL server with the upstream's own credentials:
 * SCRAM-SHA-256 (via com.ongres.scram), md5, or cleartext (only ever sent when the server asks for it).
 */
final class PgServerAuthFlow {
    private final String user;
    private final String password;
    private ScramClient scram;

    PgServerAuthFlow(String user, String password) {
        this.user = user;
        this.password = password;
    }

    /** Answers one authentication request; null when nothing is to be sent (AuthenticationOk, SASLFinal). */
    Buffer answer(Authentication request) throws Exception {
        if (request instanceof Authentication.AuthenticationOk) {
            return null;
        }
        if (request instanceof Authentication.AuthenticationCleartextPassword) {
            return new PasswordMessage(requirePassword()).encode();
        }
        if (request instanceof Authentication.AuthenticationMD5Password md5) {
            return new PasswordMessage(md5Answer(user, requirePassword(), md5.salt())).encode();
        }
        if (request instanceof Authentication.AuthenticationSASL sasl) {
            scram = ScramClient.builder()
                    .advertisedMechanisms(sasl.mechanisms().stream().filter(m -> !m.endsWith("-PLUS")).toList())
                    .username(user)
                    .password(requirePassword().toCharArray())
                    .stringPreparation(StringPreparation.POSTGRESQL_PREPARATION)
                    .build();
            String first = scram.clientFirstMessage().toString();
            return new SASLInitialResponse(scram.getScramMechanism().getName(), first.getBytes(StandardCharsets.UTF_8)).encode();
        }
        if (request instanceof Authentication.AuthenticationSASLContinue cont) {
            requireScram();
            scram.serverFirstMessage(new String(cont.data(), StandardCharsets.UTF_8));
            return new SASLResponse(scram.clientFinalMessage().toString().getBytes(StandardCharsets.UTF_8)).encode();
        }
        if (request instanceof Authentication.AuthenticationSASLFinal fin) {
            requireScram();
            // Verifies the server's signature: a server that does not know the password is not trusted.
            scram.serverFinalMessage(new String(fin.data(), StandardCharsets.UTF_8));
            return null;
        }
        throw new UpstreamException("the server asked for an authentication method Veil does not support (code "
                + ((Authentication.AuthenticationOther) request).code() + "); use scram-sha-256, md5 or password");
    }

    /** md5: "md5" + md5hex(md5hex(password + user) + salt), as in the PostgreSQL documentation. */
    static String md5Answer(String user, String password, byte[] salt) throws NoSuchAlgorithmException {
        HexFormat hex = HexFormat.of();
        MessageDigest md = MessageDigest.getInstance("MD5");
        String inner = hex.formatHex(md.digest((password + user).getBytes(StandardCharsets.UTF_8)));
        md.update(inner.getBytes(StandardCharsets.US_ASCII));
        md.update(salt);
        return "md5" + hex.formatHex(md.digest());
    }

    private String requirePassword() {
        if (password == null) {
            throw new UpstreamException("the server asked for a password but none is configured for user " + user);
        }
        return password;
    }

    private void requireScram() {
        if (scram == null) {
            throw new UpstreamException("SASL message from the server before SASL was started");
        }
    }
}
