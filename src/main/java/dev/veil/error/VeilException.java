package dev.veil.error;

/**
 * The one error type that reaches clients. {@code fatal} means the connection ends after the error
 * is sent (PostgreSQL severity FATAL); otherwise the connection returns to a usable protocol state.
 */
public final class VeilException extends RuntimeException {
    private final ErrorCode code;
    private final boolean fatal;

    public VeilException(ErrorCode code, String message, boolean fatal) {
        super(message, null, false, false);
        this.code = code;
        this.fatal = fatal;
    }

    public static VeilException fatal(ErrorCode code, String message) {
        return new VeilException(code, message, true);
    }

    public static VeilException error(ErrorCode code, String message) {
        return new VeilException(code, message, false);
    }

    public ErrorCode code() {
        return code;
    }

    public boolean fatal() {
        return fatal;
    }
}
