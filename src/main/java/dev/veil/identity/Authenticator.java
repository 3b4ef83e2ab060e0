package dev.veil.identity;

import dev.veil.config.VeilConfig;
import dev.veil.identity.AuthenticationFailure.Reason;
import dev.veil.identity.oidc.OidcProviders;
import dev.veil.identity.oidc.TokenClaims;
import dev.veil.identity.oidc.UnverifiedJwt;
import dev.veil.identity.oidc.VerifiedToken;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Optional;

/**
 * Proves who is connecting from a user name and a secret sent in clear (inside TLS, or on loopback where
 * allowed). The secret is an OIDC token (a compact JWS) or the password of an account Veil holds (service
 * accounts; local accounts in demo mode). Both protocols' front ends use this one place.
 */
@ApplicationScoped
public class Authenticator {
    private final LocalAccounts accounts;
    private final OidcProviders providers;
    private final Vertx vertx;
    private final LoginThrottle throttle;
    private final boolean loopbackCleartext;
    private final MachineClients machines;

    public Authenticator(LocalAccounts accounts, OidcProviders providers, Vertx vertx, VeilConfig config, LoginThrottle throttle) {
        this(accounts, providers, vertx, config, throttle, new MachineClients(config));
    }

    @Inject
    public Authenticator(LocalAccounts accounts, OidcProviders providers, Vertx vertx, VeilConfig config, LoginThrottle throttle,
                         MachineClients machines) {
        this.machines = machines;
        this.accounts = accounts;
        this.providers = providers;
        this.vertx = vertx;
        this.throttle = throttle;
        // Development and the demo run clients on the same host; elsewhere loopback is no proof of privacy
        // (a sidecar may share it), so it takes an explicit setting.
        this.loopbackCleartext = config.identity().loopbackCleartext().orElse("dev".equals(config.environment()));
    }

    /**
     * Completes when an attempt from {@code clientAddress} as {@code user} may go on: at once, or after the
     * backoff that recent failed logins impose (see {@link LoginThrottle}). Every surface waits for it before it
     * reads a secret; the outcome is reported through the audit of failed logins and session starts.
     */
    public Future<Void> admit(String clientAddress, String user) {
        return throttle.admit(clientAddress, user);
    }

    /** Whether a secret may be asked for in clear on this transport. */
    public boolean cleartextAllowed(boolean tls, boolean loopback) {
        return tls || (loopback && loopbackCleartext);
    }

    /** Whether the name is an account whose verifier Veil holds (a SCRAM or scramble exchange can prove it). */
    public Optional<LocalAccounts.Account> account(String user) {
        return accounts.find(user);
    }

    /**
     * The identity of an account whose secret a SCRAM or scramble exchange proved: a machine client when
     * veil.agents.clients lists it, as a secret checked here would make it.
     */
    public Identity provenAccount(LocalAccounts.Account account) {
        return machines.classify(account.identity());
    }

    /** A SCRAM verifier for a user Veil has no account for, so that the exchange does not reveal it. */
    public ScramVerifier decoy(String user) {
        return accounts.decoy(user);
    }

    /** Whether users without an account can still prove themselves (with a token). */
    public boolean acceptsTokens() {
        return providers.any();
    }

    /**
     * Checks a cleartext secret. Token verification may fetch the provider's keys and password checks run
     * PBKDF2, so both run on a worker; the future completes on the caller's event loop.
     */
    public Future<Identity> cleartext(String user, String secret, boolean tls, boolean loopback) {
        if (!cleartextAllowed(tls, loopback)) {
            return Future.failedFuture(new AuthenticationFailure(Reason.TRANSPORT_NOT_SECURE,
                    "passwords and tokens are accepted only over TLS"));
        }
        return vertx.getOrCreateContext().executeBlocking(() -> check(user, secret), false);
    }

    /** Blocking form of {@link #cleartext}, for callers already off the event loop (HTTP basic on admin endpoints). */
    public Identity check(String user, String secret) {
        return machines.classify(proven(user, secret));
    }

    private Identity proven(String user, String secret) {
        if (providers.any() && UnverifiedJwt.looksLikeJwt(secret)) {
            return tokenIdentity(user, providers.verify(secret));
        }
        // An account without a password has no verifier: it gets in only through the wire flows, which let it in
        // without asking (loopback listeners); a secret offered for it here (admin API, cleartext) proves nothing.
        Optional<LocalAccounts.Account> account = accounts.find(user).filter(a -> !a.withoutPassword());
        // Unknown users are checked against a decoy so that the time taken does not reveal them.
        boolean ok = account.map(LocalAccounts.Account::verifier).orElseGet(() -> accounts.decoy(user)).matches(secret);
        if (!ok || account.isEmpty()) {
            throw new AuthenticationFailure(Reason.BAD_PASSWORD, "password authentication failed for user \"" + user + "\"");
        }
        return account.get().identity();
    }

    /**
     * An HTTP bearer token (admin API): the user is whoever the token names in the provider's first user claim
     * it carries. Blocking.
     */
    public Identity bearer(String token) {
        if (!providers.any()) {
            throw new AuthenticationFailure(Reason.UNKNOWN_PROVIDER, "no identity provider is configured");
        }
        VerifiedToken verified = providers.verify(token);
        for (String claim : verified.provider().userClaims()) {
            String name = verified.stringClaim(claim);
            if (name != null) {
                return machines.classify(tokenIdentity(name, verified));
            }
        }
        throw new AuthenticationFailure(Reason.USER_MISMATCH, "token rejected: it names no user ("
                + String.join(", ", verified.provider().userClaims()) + ")");
    }

    private static Identity tokenIdentity(String user, VerifiedToken token) {
        if (TokenClaims.matchingUserClaim(token, user) != null) {
            return tokenIdentity(user, token, Identity.Source.OIDC_TOKEN);
        }
        if (TokenClaims.isServiceTokenOf(token, user)) {
            return tokenIdentity(user, token, Identity.Source.SERVICE_ACCOUNT);
        }
        throw new AuthenticationFailure(Reason.USER_MISMATCH, "token rejected: it does not belong to user \"" + user
                + "\" (connect with the token's " + String.join(" or ", token.provider().userClaims()) + " as user name)");
    }

    private static Identity tokenIdentity(String user, VerifiedToken token, Identity.Source source) {
        return new Identity(user, TokenClaims.roles(token), source, token.provider().name(), token.validUntil(),
                TokenClaims.groups(token), TokenClaims.plain(token.claims()));
    }
}
