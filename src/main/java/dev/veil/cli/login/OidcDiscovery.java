package dev.veil.cli.login;

import java.net.URI;
import java.util.Optional;

/**
 * Reads {@code <issuer>/.well-known/openid-configuration} (OpenID Connect Discovery 1.0 §4). The document's
 * issuer must be the configured one exactly (§4.3): a mismatch means a wrong URL or a spoofed document.
 */
public class OidcDiscovery {
    private final OidcHttp http;

    public OidcDiscovery(OidcHttp http) {
        this.http = http;
    }

    public ProviderMetadata discover(String issuer) {
        URI uri = documentUri(issuer);
        OidcHttp.Response r = http.get(uri);
        if (r.status() != 200) {
            throw new LoginException("no OpenID Provider at " + issuer + " (" + uri + " answered HTTP " + r.status() + ")");
        }
        String declared = r.text("issuer");
        if (declared == null || r.text("token_endpoint") == null) {
            throw new LoginException(uri + " is not an OpenID Provider configuration (no issuer or token_endpoint)");
        }
        if (!strip(declared).equals(strip(issuer))) {
            throw new LoginException("the provider at " + uri + " declares issuer " + declared + ", not " + strip(issuer));
        }
        return new ProviderMetadata(declared, URI.create(r.text("token_endpoint")), optionalUri(r, "authorization_endpoint"),
                optionalUri(r, "device_authorization_endpoint"));
    }

    static URI documentUri(String issuer) {
        URI base;
        try {
            base = URI.create(strip(issuer));
        } catch (IllegalArgumentException e) {
            throw new LoginException("the issuer is not a URL: " + issuer);
        }
        if (base.getScheme() == null || base.getHost() == null
                || !(base.getScheme().equals("https") || base.getScheme().equals("http"))) {
            throw new LoginException("the issuer must be an http(s) URL, not " + issuer);
        }
        return URI.create(strip(issuer) + "/.well-known/openid-configuration");
    }

    /** Issuers are compared without a trailing slash: users paste both forms, and some providers publish one. */
    static String strip(String issuer) {
        return issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
    }

    private static Optional<URI> optionalUri(OidcHttp.Response r, String field) {
        return Optional.ofNullable(r.text(field)).map(URI::create);
    }
}
