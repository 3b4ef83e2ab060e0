package dev.veil.frontend.pg;

import dev.veil.frontend.pg.message.Authentication;
import dev.veil.frontend.pg.message.FrontendMessage;
import dev.veil.frontend.pg.message.PgFrame;
import dev.veil.identity.Identity;
import dev.veil.identity.LocalAccounts;
import dev.veil.session.error.ErrorCode;
import dev.veil.session.error.VeilException;
import io.vertx.core.buffer.Buffer;

import java.util.List;
import java.util.Optional;

/**
 * The authentication conversation with a client. SCRAM-SHA-256 is the default; a cleartext password is
 * asked for only inside TLS or on loopback, where nothing can read it on the wire (the identity stage
 * uses it to carry tokens).
 * See https://www.postgresql.org/docs/current/auth-password.html
 */
final class PgAuthFlow {
    /** What to send back, and the identity once proven. */
    record Step(Buffer reply, Identity identity) {
    }

    private enum Method { CLEARTEXT, SCRAM }

    private final PgFrontend frontend;
    private final String user;
    private final Optional<LocalAccounts.Account> account;
    private final Method method;
    private PgScramExchange scram;

    PgAuthFlow(PgFrontend frontend, String user, boolean tls, boolean loopback) {
        this.frontend = frontend;
        this.user = user;
        this.account = frontend.accounts.find(user);
        boolean cleartextWanted = frontend.listener.passwordMethod().equalsIgnoreCase("password");
        this.method = cleartextWanted && (tls || loopback) ? Method.CLEARTEXT : Method.SCRAM;
    }

    Buffer firstRequest() {
        return method == Method.CLEARTEXT
                ? new Authentication.AuthenticationCleartextPassword().encode()
                : new Authentication.AuthenticationSASL(List.of(PgScramExchange.MECHANISM)).encode();
    }

    Step onResponse(PgFrame frame) {
        if (method == Method.CLEARTEXT) {
            String password = FrontendMessage.PasswordMessage.decode(frame).password();
            // Unknown users are checked against a decoy so that the time taken does not reveal them.
            boolean ok = account.map(LocalAccounts.Account::verifier).orElseGet(() -> frontend.accounts.decoy(user)).matches(password);
            if (!ok || account.isEmpty()) {
                throw failed();
            }
            return new Step(new Authentication.AuthenticationOk().encode(), identity());
        }
        if (scram == null) {
            FrontendMessage.SASLInitialResponse first = FrontendMessage.SASLInitialResponse.decode(frame);
            if (!PgScramExchange.MECHANISM.equals(first.mechanism())) {
                throw VeilException.fatal(ErrorCode.INVALID_AUTHORIZATION,
                        "client selected an invalid SASL authentication mechanism: " + first.mechanism());
            }
            if (first.data() == null) {
                throw VeilException.fatal(ErrorCode.PROTOCOL_VIOLATION, "SASLInitialResponse carries no client-first-message");
            }
            scram = new PgScramExchange(account.map(LocalAccounts.Account::verifier).orElseGet(() -> frontend.accounts.decoy(user)),
                    account.isPresent(), frontend.random);
            return new Step(new Authentication.AuthenticationSASLContinue(scram.clientFirst(first.data())).encode(), null);
        }
        byte[] serverFinal = scram.clientFinal(FrontendMessage.SASLResponse.decode(frame).data(), user);
        Buffer reply = new Authentication.AuthenticationSASLFinal(serverFinal).encode()
                .appendBuffer(new Authentication.AuthenticationOk().encode());
        return new Step(reply, identity());
    }

    private Identity identity() {
        return new Identity(user, account.orElseThrow().roles(), Identity.Source.LOCAL_ACCOUNT);
    }

    private VeilException failed() {
        return VeilException.fatal(ErrorCode.AUTH_FAILED, "password authentication failed for user \"" + user + "\"");
    }
}
