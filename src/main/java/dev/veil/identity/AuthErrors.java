package dev.veil.identity;

import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;

/**
 * An authentication refusal as the client sees it: a wrong secret is PostgreSQL's invalid_password (28P01);
 * a refusal that no secret could have avoided (no TLS, provider unreachable) is
 * invalid_authorization_specification (28000). MySQL reports both as 1045 access denied.
 */
public final class AuthErrors {
    private AuthErrors() {
    }

    public static VeilException toVeil(AuthenticationFailure f) {
        ErrorCode code = switch (f.reason()) {
            case TRANSPORT_NOT_SECURE, PROVIDER_UNAVAILABLE -> ErrorCode.INVALID_AUTHORIZATION;
            default -> ErrorCode.AUTH_FAILED;
        };
        return VeilException.fatal(code, f.getMessage());
    }
}
