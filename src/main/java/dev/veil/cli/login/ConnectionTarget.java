package dev.veil.cli.login;

import java.util.List;
import java.util.Locale;

/**
 * Where and as whom a client connects to Veil. {@code database} may be null (the client's default);
 * {@code sslMode} is libpq's vocabulary (disable, allow, prefer, require, verify-ca, verify-full).
 */
public record ConnectionTarget(String host, int pgPort, int mysqlPort, String database, String user, String sslMode) {
    public static final List<String> SSL_MODES = List.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");

    public ConnectionTarget {
        sslMode = checkSslMode(sslMode);
    }

    /** The mode in lower case, or a {@link LoginException} naming the accepted ones. */
    public static String checkSslMode(String sslMode) {
        String m = sslMode.toLowerCase(Locale.ROOT);
        if (!SSL_MODES.contains(m)) {
            throw new LoginException("unknown --sslmode " + sslMode + " (one of " + String.join(", ", SSL_MODES) + ")");
        }
        return m;
    }

    /** The MySQL client's --ssl-mode for the same intent. */
    public String mysqlSslMode() {
        return switch (sslMode) {
            case "disable" -> "DISABLED";
            case "allow", "prefer" -> "PREFERRED";
            case "require" -> "REQUIRED";
            case "verify-ca" -> "VERIFY_CA";
            default -> "VERIFY_IDENTITY";
        };
    }
}
