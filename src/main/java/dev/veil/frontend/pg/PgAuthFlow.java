package dev.veil.frontend.pg;

import dev.veil.protocol.pg.Authentication;
import dev.veil.protocol.pg.FrontendMessage;
import dev.veil.protocol.pg.PgFrame;
import dev.veil.identity.AuthenticationFailure;
import dev.veil.identity.Authenticator;
import dev.veil.identity.Identity;
import dev.veil.identity.LocalAccounts;
import dev.veil.identity.AuthErrors;
import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

import java.util.List;
import java.security.SecureRandom;
import java.util.Optional;

/**
 * The authentication conversation with a client. Accounts Veil holds a verifier for (service accounts,
 * local accounts) prove themselves with SCRAM-SHA-256. Everyone else is a person (or service) with an OIDC
 * token, which can only travel as a cleartext password: Veil asks for one only inside TLS (or on loopback
 * where allowed), so nothing can read it on the wire.
 * See https://www.postgresql.org/docs/current/auth-password.html
 */
final class PgAuthFlow {
    /**
     * What to send back now, and the identity once proven; or a verification still running (a token being
     * checked against the provider's keys) whose outcome decides.
     */
    record Step(Buffer reply, Identity identity, Future<Identity> verifying) {
        Step(Buffer reply, Identity identity) {
            this(reply, identity, null);
        }
    }

    private enum Method { CLEARTEXT, SCRAM }

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Authenticator authenticator;
    private final String user;
    private final Optional<LocalAccounts.Account> account;
    private final Method method;
    private final boolean tls;
    private final boolean loopback;
    private PgScramExchange scram;
    private boolean asked;

    /** @param passwordMethod veil.pg.password-method: scram-sha-256, or password (cleartext where allowed) */
    PgAuthFlow(Authenticator authenticator, String passwordMethod, String user, boolean tls, boolean loopback) {
        this.authenticator = authenticator;
        this.user = user;
        this.tls = tls;
        this.loopback = loopback;
        this.account = authenticator.account(user);
        boolean cleartextOk = authenticator.cleartextAllowed(tls, loopback);
        boolean cleartextWanted = passwordMethod.equalsIgnoreCase("password");
        if (account.isEmpty() && authenticator.acceptsTokens()) {
            if (!cleartextOk) {
                // Asking for the token here would put it on the wire in clear.
                throw VeilException.fatal(ErrorCode.INVALID_AUTHORIZATION, "Veil accepts identity tokens only over TLS: "
                        + "connect with sslmode=require (user \"" + user + "\" is not an account Veil holds a verifier for)");
            }
            this.method = Method.CLEARTEXT;
        } else {
            this.method = cleartextWanted && cleartextOk ? Method.CLEARTEXT : Method.SCRAM;
        }
    }

    /**
     * The identity of an account configured without a password, which logs in without being asked for a secret,
     * as PostgreSQL's trust authentication does (libpq refuses to send an empty password); null for everyone else.
     */
    Identity withoutPassword() {
        return account.filter(LocalAccounts.Account::withoutPassword).map(LocalAccounts.Account::identity).orElse(null);
    }

    Buffer firstRequest() {
        asked = true;
        return method == Method.CLEARTEXT
                ? new Authentication.AuthenticationCleartextPassword().encode()
                : new Authentication.AuthenticationSASL(List.of(PgScramExchange.MECHANISM)).encode();
    }

    Step onResponse(PgFrame frame) {
        if (!asked) {
            // Sent ahead of the request, which the login throttle may be holding back: it is not read early.
            throw VeilException.fatal(ErrorCode.PROTOCOL_VIOLATION, "a password message arrived before Veil asked for one:"
                    + " send it in answer to the authentication request (after failed logins Veil waits before asking)");
        }
        if (method == Method.CLEARTEXT) {
            String password = FrontendMessage.PasswordMessage.decode(frame).password();
            Future<Identity> verifying = authenticator.cleartext(user, password, tls, loopback)
                    .recover(e -> Future.failedFuture(e instanceof AuthenticationFailure f ? AuthErrors.toVeil(f) : e));
            return new Step(null, null, verifying);
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
            scram = new PgScramExchange(account.map(LocalAccounts.Account::verifier).orElseGet(() -> authenticator.decoy(user)),
                    account.isPresent(), RANDOM);
            return new Step(new Authentication.AuthenticationSASLContinue(scram.clientFirst(first.data())).encode(), null);
        }
        byte[] serverFinal = scram.clientFinal(FrontendMessage.SASLResponse.decode(frame).data(), user);
        Buffer reply = new Authentication.AuthenticationSASLFinal(serverFinal).encode()
                .appendBuffer(new Authentication.AuthenticationOk().encode());
        return new Step(reply, authenticator.provenAccount(account.orElseThrow()));
    }
}
