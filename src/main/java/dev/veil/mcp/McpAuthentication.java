package dev.veil.mcp;

import dev.veil.config.McpSettings;
import dev.veil.config.VeilConfig;
import dev.veil.identity.AuthenticationFailure;
import dev.veil.identity.AuthenticationFailure.Reason;
import dev.veil.identity.Authenticator;
import dev.veil.identity.Identity;
import dev.veil.identity.oidc.TokenClaims;
import dev.veil.identity.oidc.UnverifiedJwt;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The MCP endpoint as an OAuth 2.1 resource server: a bearer token verified as the wire verifies it (issuer,
 * signature, times, the provider's audience; {@link Authenticator#check}), which must also name the MCP
 * endpoint's audience when one is configured (RFC 8707: a token minted for another resource is refused). The
 * user a client-credentials token logs in as is its client id, as on the wire.
 */
final class McpAuthentication {
    private final Authenticator authenticator;
    private final McpSettings settings;
    private final boolean accountBearer;

    /** {@code accountBearer}: accept an account's {@code name:password} as the bearer (veil.mcp.account-bearer, the demo). */
    McpAuthentication(Authenticator authenticator, VeilConfig config, boolean accountBearer) {
        this.authenticator = authenticator;
        this.settings = config.mcp();
        this.accountBearer = accountBearer;
    }

    /** The wire user name a bearer logs in as, for the login throttle; null when it names none. */
    String userOf(String bearer) {
        if (UnverifiedJwt.looksLikeJwt(bearer)) {
            Map<String, Object> claims = claims(bearer);
            String client = TokenClaims.serviceClient(claims);
            if (client != null) {
                return client;
            }
            for (String claim : List.of("email", "preferred_username", "sub")) {
                if (claims.get(claim) instanceof String s) {
                    return s;
                }
            }
            return null;
        }
        int colon = bearer.indexOf(':');
        return colon > 0 ? bearer.substring(0, colon) : null;
    }

    /** Blocking (token verification may fetch keys; account secrets run PBKDF2). */
    McpCaller authenticate(String bearer, String address, String resource) {
        String user = userOf(bearer);
        if (UnverifiedJwt.looksLikeJwt(bearer)) {
            if (user == null) {
                throw new AuthenticationFailure(Reason.USER_MISMATCH, "token rejected: it names no client or user");
            }
            Identity id = authenticator.check(user, bearer);
            requireAudience(id, resource);
            return new McpCaller(id, user, bearer, address);
        }
        if (!accountBearer || user == null) {
            throw new AuthenticationFailure(Reason.MALFORMED_TOKEN, "the bearer is not an OAuth access token (a JWT from"
                    + " the identity provider); get one with the client-credentials grant");
        }
        String secret = bearer.substring(user.length() + 1);
        return new McpCaller(authenticator.check(user, secret), user, secret, address);
    }

    /**
     * RFC 8707: the token's audience names this resource: veil.mcp.audience when set; else the resource URL or
     * the provider's own audience, which {@link Authenticator#check} has already required.
     */
    private void requireAudience(Identity id, String resource) {
        Optional<String> wanted = settings.audience();
        if (wanted.isEmpty()) {
            return;
        }
        Object aud = id.claims().get("aud");
        boolean ok = aud instanceof String s ? s.equals(wanted.get()) || s.equals(resource)
                : aud instanceof Collection<?> c && (c.contains(wanted.get()) || c.contains(resource));
        if (!ok) {
            throw new AuthenticationFailure(Reason.WRONG_AUDIENCE, "token rejected: its audience does not include "
                    + wanted.get() + " (veil.mcp.audience); ask the identity provider for a token for this resource");
        }
    }

    private static Map<String, Object> claims(String jwt) {
        try {
            return UnverifiedJwt.read(jwt).claims();
        } catch (AuthenticationFailure malformed) {
            return Map.of(); // verification will say what is wrong with it
        }
    }
}
