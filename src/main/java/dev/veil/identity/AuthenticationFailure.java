package dev.veil.identity;

/**
 * Why a password or token was refused. The message goes to the client and the audit log, so it names what
 * was wrong (expired, wrong audience, unknown provider…) and never carries the secret or key material.
 */
public final class AuthenticationFailure extends RuntimeException {
    public enum Reason {
        BAD_PASSWORD, MALFORMED_TOKEN, UNKNOWN_PROVIDER, ALGORITHM_NOT_ALLOWED, BAD_SIGNATURE, UNKNOWN_KEY, EXPIRED,
        NOT_YET_VALID, TOO_OLD, WRONG_ISSUER, WRONG_AUDIENCE, WRONG_CLIENT, USER_MISMATCH, REVOKED,
        PROVIDER_UNAVAILABLE, TRANSPORT_NOT_SECURE
    }

    private final Reason reason;

    public AuthenticationFailure(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
