package dev.veil.config;

import java.util.Optional;

/**
 * Where a password Veil logs in with comes from: inline, an environment variable or a file (read at start-up
 * by {@link EndpointPassword}). Endpoints have one, and so has each database user of an upstream's roles.
 */
public interface PasswordSource {
    /** Password given inline. Prefer password-env or password-file. */
    Optional<String> password();

    /** Name of an environment variable holding the password. */
    Optional<String> passwordEnv();

    /** Path of a file (e.g. a mounted Kubernetes secret) holding the password. */
    Optional<String> passwordFile();
}
