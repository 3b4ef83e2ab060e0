package dev.veil.identity.oidc;

import dev.veil.config.VeilConfig;
import dev.veil.identity.AuthenticationFailure;
import dev.veil.identity.AuthenticationFailure.Reason;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/** The configured providers; a token is routed to the one(s) whose issuer it names. */
@ApplicationScoped
public class OidcProviders {
    private static final Logger LOG = Logger.getLogger(OidcProviders.class);

    private final List<TokenVerifier> verifiers = new CopyOnWriteArrayList<>();
    private final ProviderHttp http;
    private final Clock clock;
    private final Duration sessionMaxAge;

    public OidcProviders(VeilConfig config, Clock clock) {
        this.clock = clock;
        this.sessionMaxAge = config.identity().session().maxAge();
        this.http = new ProviderHttp(OidcDiscovery.TIMEOUT);
        config.identity().oidc().forEach((name, p) -> {
            if (!name.equals(DEFAULT)) {
                register(ProviderSettings.from(name, p));
            }
        });
        // The organisation's provider (VEIL_IDENTITY_OIDC_ISSUER), unless a named provider above has its issuer.
        config.identity().defaultProvider()
                .filter(p -> verifiers.stream().noneMatch(v -> v.settings().issues(p.issuer().get())))
                .ifPresent(p -> register(ProviderSettings.from(DEFAULT, p)));
    }

    /** The name of the provider configured directly under veil.identity.oidc. */
    public static final String DEFAULT = VeilConfig.IdentitySettings.DEFAULT_PROVIDER;

    /** Replaces a provider's group → role map (the demo maps its groups to the demo roles). */
    public void mapGroups(String name, Map<String, String> roleMap) {
        verifiers.replaceAll(v -> v.settings().name().equals(name)
                ? new TokenVerifier(v.settings().withRoleMap(roleMap), http, clock) : v);
    }


    public void register(ProviderSettings configured) {
        // A token older than the longest session allowed is refused unless a provider says otherwise: a token
        // captured long ago cannot open a session after the cap that would have ended its first one.
        ProviderSettings settings = configured.maxTokenAge().isPresent() || sessionMaxAge.isZero() ? configured
                : configured.withMaxTokenAge(Optional.of(sessionMaxAge));
        verifiers.add(new TokenVerifier(settings, http, clock));
        LOG.infof("accepting OIDC tokens from %s (provider %s, audience %s)", settings.issuer(), settings.name(),
                String.join(",", settings.audiences()));
    }

    public boolean any() {
        return !verifiers.isEmpty();
    }

    public List<ProviderSettings> providers() {
        return verifiers.stream().map(TokenVerifier::settings).toList();
    }

    /**
     * Verifies a token with the provider it claims to come from. Several providers may share an issuer (one
     * per audience): the first that accepts the token wins; if none does, the most telling refusal is given.
     * Blocking.
     */
    public VerifiedToken verify(String token) {
        UnverifiedJwt unverified = UnverifiedJwt.read(token);
        List<TokenVerifier> candidates = new ArrayList<>();
        for (TokenVerifier v : verifiers) {
            if (v.settings().issues(unverified.issuer())) {
                candidates.add(v);
            }
        }
        if (candidates.isEmpty()) {
            String iss = unverified.issuer();
            throw new AuthenticationFailure(Reason.UNKNOWN_PROVIDER, "token rejected: its issuer "
                    + (iss == null ? "(missing)" : printable(iss)) + " is not an identity provider Veil trusts");
        }
        AuthenticationFailure first = null;
        for (TokenVerifier v : candidates) {
            try {
                return v.verify(token, unverified);
            } catch (AuthenticationFailure f) {
                if (first == null || (first.reason() == Reason.WRONG_AUDIENCE && f.reason() != Reason.WRONG_AUDIENCE)) {
                    first = f;
                }
            }
        }
        throw first;
    }

    /**
     * Where a browser ends its session at the provider of {@code issuer} (discovery's end_session_endpoint), if that
     * provider is configured and names one. Blocking (discovery may be fetched); throws AuthenticationFailure when
     * the provider cannot be reached.
     */
    public Optional<String> endSessionEndpoint(String issuer) {
        for (TokenVerifier v : verifiers) {
            if (v.settings().issues(issuer)) {
                return v.discovery().endSessionEndpoint();
            }
        }
        return Optional.empty();
    }

    /** The issuer is attacker-controlled text about to be echoed: bounded and printable only. */
    private static String printable(String s) {
        String cut = s.length() > 200 ? s.substring(0, 200) + "…" : s;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}
