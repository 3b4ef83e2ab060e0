package dev.veil.identity.oidc;

import dev.veil.config.VeilConfig;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** One OIDC provider whose tokens Veil accepts, with how its claims become a user name and roles. */
public record ProviderSettings(String name, String issuer, Set<String> audiences, Optional<String> jwksUri,
                               List<String> userClaims, String rolesClaim, Map<String, String> roleMap,
                               Set<String> algorithms, Duration clockSkew, Optional<Duration> maxTokenAge,
                               Duration jwksRefresh, Duration unknownKeyRefetch, Optional<Set<String>> allowedClients,
                               Optional<ClientCredentials> introspection) {

    public record ClientCredentials(String clientId, String clientSecret) {
    }

    public static final List<String> DEFAULT_ALGORITHMS =
            List.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512");

    public ProviderSettings {
        issuer = trimSlash(issuer);
        String prefix = VeilConfig.IdentitySettings.oidcPrefix(name);
        if (issuer.isEmpty()) {
            throw new IllegalArgumentException(prefix + ".issuer is empty");
        }
        if (audiences.isEmpty()) {
            throw new IllegalArgumentException(prefix + ".audience is empty: tokens for any client would be accepted");
        }
        Set<String> algs = new LinkedHashSet<>();
        for (String a : algorithms) {
            String upper = a.strip().toUpperCase(Locale.ROOT);
            if (VeilConfig.OidcProvider.NEVER_ACCEPTED.contains(upper)) {
                throw new IllegalArgumentException(prefix + ".algorithms: " + a
                        + " is never accepted (symmetric or unsigned tokens could be forged)");
            }
            algs.add(upper);
        }
        algorithms = Set.copyOf(algs);
        audiences = Set.copyOf(audiences);
        userClaims = List.copyOf(userClaims);
        roleMap = Map.copyOf(roleMap);
    }

    public static ProviderSettings from(String name, VeilConfig.OidcProvider p) {
        Optional<ClientCredentials> introspection = p.introspectionClientId()
                .map(id -> new ClientCredentials(id, p.introspectionClientSecret().orElse("")));
        return new ProviderSettings(name, p.issuer().orElse(""), new LinkedHashSet<>(p.audience()), p.jwksUri(), p.userClaims(),
                p.rolesClaim(), p.roleMap(), new LinkedHashSet<>(p.algorithms()), p.clockSkew(), p.maxTokenAge(),
                p.jwksRefresh(), p.unknownKeyRefetch(), p.allowedClients().map(Set::copyOf), introspection);
    }

    public ProviderSettings withMaxTokenAge(Optional<Duration> age) {
        return new ProviderSettings(name, issuer, audiences, jwksUri, userClaims, rolesClaim, roleMap, algorithms, clockSkew,
                age, jwksRefresh, unknownKeyRefetch, allowedClients, introspection);
    }

    public ProviderSettings withRoleMap(Map<String, String> map) {
        return new ProviderSettings(name, issuer, audiences, jwksUri, userClaims, rolesClaim, map, algorithms, clockSkew,
                maxTokenAge, jwksRefresh, unknownKeyRefetch, allowedClients, introspection);
    }

    public boolean issues(String tokenIssuer) {
        return tokenIssuer != null && issuer.equals(trimSlash(tokenIssuer));
    }

    static String trimSlash(String url) {
        String s = url == null ? "" : url.strip();
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return s;
    }
}
