package dev.veil.cli.login;

/**
 * An expected failure of {@code veil login} (provider unreachable, sign-in denied, code expired…): the
 * command prints its message as one line and exits non-zero, without a stack trace.
 */
public class LoginException extends RuntimeException {
    public LoginException(String message) {
        super(message);
    }

    public LoginException(String message, Throwable cause) {
        super(message, cause);
    }
}
