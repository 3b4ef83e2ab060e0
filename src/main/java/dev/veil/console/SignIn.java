package dev.veil.console;

import java.time.Instant;

/**
 * One console sign-in as a store keeps it: the SHA-256 of its cookie token (never the token), the user, the identity
 * provider's ID token sealed under a key only the cookie token gives ({@link SealedIdToken}; null after a local
 * sign-in), when it began and when it was last seen.
 */
record SignIn(byte[] tokenHash, ConsoleUser user, byte[] sealedIdToken, Instant created, Instant lastSeen) {
}
