package dev.veil.config;

import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** veil.console.*: the web console under /console on the HTTP port (docs/console.md). */
public interface ConsoleSettings {
    /** Off: /console answers 404. */
    @WithDefault("true")
    boolean enabled();

    /**
     * A console sign-in ends after this long without a request. With a control-plane database its last-seen time is
     * written at most once a minute, so a sign-in may end up to a minute sooner than this after its last request.
     */
    @WithDefault("30M")
    Duration idleTimeout();

    /**
     * Sign-in with a local account's password on the console's own form. Unset: on in demo mode and whenever no
     * identity provider's web client is configured (then SSO is the only way in).
     */
    Optional<Boolean> localSignIn();

    /**
     * The sign-ins table in the control-plane database (the approvals' one, veil.approvals.control-plane or the
     * audit database): every Veil instance sharing it honours a sign-in made on another. Optionally schema-qualified.
     */
    @WithDefault("veil_console_signins")
    String signinsTable();
}
