package dev.veil.cli.login;

import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@code veil login} does before printing anything: hand out the stored access token while it is valid
 * for more than a minute, else refresh it, else sign in interactively (device grant or browser with PKCE).
 * The provider is only contacted when a refresh or a sign-in is needed, so reuse works offline.
 */
public class LoginFlow {
    /** A token this close to expiry is refreshed rather than handed out: a psql started now must still get in. */
    static final Duration MIN_REMAINING = Duration.ofMinutes(1);

    public enum Action { REUSE, REFRESH, SIGN_IN }

    public enum Flow { DEVICE, BROWSER }

    public record Request(String issuer, String clientId, String scope, Flow flow, boolean force) {
    }

    public record Outcome(TokenSet tokens, Action action) {
    }

    /** How the flow talks to the person at the terminal. */
    public interface Ui {
        void notice(String line);

        void device(DeviceGrant.Prompt prompt);

        void browser(URI authorizationUrl);
    }

    private final OidcHttp http;
    private final TokenStore store;
    private final Clock clock;
    private final Sleeper sleeper;
    private final SecureRandom random;
    private final Duration browserTimeout;

    public LoginFlow(OidcHttp http, TokenStore store, Clock clock, Sleeper sleeper, SecureRandom random, Duration browserTimeout) {
        this.http = http;
        this.store = store;
        this.clock = clock;
        this.sleeper = sleeper;
        this.random = random;
        this.browserTimeout = browserTimeout;
    }

    public static Action decide(Optional<TokenSet> stored, String scope, Instant now, boolean force) {
        if (force || stored.isEmpty() || !Objects.equals(stored.get().scope(), scope)) {
            return Action.SIGN_IN;
        }
        TokenSet t = stored.get();
        if (t.expiresAt().isAfter(now.plus(MIN_REMAINING))) {
            return Action.REUSE;
        }
        if (t.hasRefreshToken() && (t.refreshExpiresAt() == null || t.refreshExpiresAt().isAfter(now))) {
            return Action.REFRESH;
        }
        return Action.SIGN_IN;
    }

    public Outcome obtain(Request request, Ui ui) {
        String key = TokenStore.key(request.issuer(), request.clientId());
        Optional<TokenSet> stored = store.load(key);
        Action action = decide(stored, request.scope(), clock.instant(), request.force());
        if (action == Action.REUSE) {
            return new Outcome(stored.get(), action);
        }
        ProviderMetadata provider = new OidcDiscovery(http).discover(request.issuer());
        TokenEndpoint tokens = new TokenEndpoint(http, clock);
        if (action == Action.REFRESH) {
            TokenEndpoint.Result r = tokens.refresh(provider.tokenEndpoint(), request.clientId(), stored.get());
            if (r instanceof TokenEndpoint.Granted g) {
                store.save(key, g.tokens());
                return new Outcome(g.tokens(), action);
            }
            // invalid_grant: the provider ended the session (logout, idle timeout, revocation). Sign in again.
            ui.notice("the stored sign-in can no longer be refreshed (" + ((TokenEndpoint.Refused) r).explain() + "): signing in again");
            store.remove(key);
        }
        TokenSet fresh = switch (request.flow()) {
            case DEVICE -> new DeviceGrant(http, tokens, clock, sleeper, random).run(provider, request.clientId(), request.scope(), ui::device);
            case BROWSER -> new PkceLogin(tokens, random, browserTimeout).run(provider, request.clientId(), request.scope(), ui::browser);
        };
        store.save(key, fresh);
        return new Outcome(fresh, Action.SIGN_IN);
    }
}
