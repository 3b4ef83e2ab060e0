package dev.veil.config;

import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** veil.console.*: the web console under /console on the HTTP port (docs/console.md). */
public interface ConsoleSettings {
    /** Off: /console answers 404. */
    @WithDefault("true")
    boolean enabled();

    /** A console sign-in ends after this long without a request. */
    @WithDefault("30M")
    Duration idleTimeout();

    /**
     * Sign-in with a local account's password on the console's own form. Unset: on in demo mode and whenever no
     * identity provider's web client is configured (then SSO is the only way in).
     */
    Optional<Boolean> localSignIn();
}
