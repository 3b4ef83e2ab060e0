package dev.veil.console;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Where console sign-ins live: this process ({@link LocalSignIns}) or the control-plane database, shared by every
 * Veil instance ({@link SharedSignIns}). Blocking: the console's pages run on worker threads. A store that cannot
 * answer throws {@link SignInsUnavailable}, and the console treats the browser as not signed in.
 */
interface SignInStore {
    /** How often a sign-in's last-seen time is written: not on every request. */
    Duration TOUCH = Duration.ofMinutes(1);

    void open(SignIn signIn);

    /**
     * The sign-in of this token hash if it has not ended and was seen within {@code idle} before {@code now}; one
     * idle too long is ended for good. Moves last-seen to {@code now} when it is {@link #TOUCH} old or more.
     */
    Optional<SignIn> find(byte[] tokenHash, Instant now, Duration idle);

    /** Ends the sign-in (everywhere); what it was, when it had not ended already. */
    Optional<SignIn> close(byte[] tokenHash, Instant now);

    /** Why no sign-in can be checked now: the page says so instead of failing with a stack. */
    final class SignInsUnavailable extends RuntimeException {
        SignInsUnavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
