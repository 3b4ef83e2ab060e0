package dev.veil.cli.login;

import java.time.Instant;

/**
 * Tokens from one sign-in, as stored between runs. {@code refreshExpiresAt} is null when the provider did not
 * say (or said the refresh token does not expire, as Keycloak's {@code refresh_expires_in: 0} for offline
 * tokens); {@code scope} is the scope that was asked for, so a run asking for another one signs in again.
 */
public record TokenSet(String accessToken, String refreshToken, String idToken, Instant expiresAt,
                       Instant refreshExpiresAt, String scope) {

    public boolean hasRefreshToken() {
        return refreshToken != null && !refreshToken.isEmpty();
    }
}
