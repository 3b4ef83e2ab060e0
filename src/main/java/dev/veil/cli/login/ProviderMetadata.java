package dev.veil.cli.login;

import java.net.URI;
import java.util.Optional;

/**
 * The parts of an OpenID Provider's discovery document that {@code veil login} uses
 * (OpenID Connect Discovery 1.0 §3; device_authorization_endpoint from RFC 8628 §4).
 */
public record ProviderMetadata(String issuer, URI tokenEndpoint, Optional<URI> authorizationEndpoint,
                               Optional<URI> deviceAuthorizationEndpoint) {
}
