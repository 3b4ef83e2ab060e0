package dev.veil.config;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Properties that have a new name. Under an old name in a file or system property, SmallRye Config already
 * refuses to start ("does not map to any root"); environment variables it cannot check, so they are checked
 * here, and reported with the new name instead of being silently ignored.
 */
final class RenamedProperties {
    /** Old name → new name. */
    static final Map<String, String> RENAMED = new TreeMap<>(Map.of(
            "veil.oidc.issuer", "veil.identity.oidc.issuer",
            "veil.oidc.audience", "veil.identity.oidc.audience",
            "veil.oidc.web-client-id", "veil.identity.oidc.web-client-id",
            "veil.oidc.web-client-secret", "veil.identity.oidc.web-client-secret",
            "veil.mysql.max-packet-bytes", "veil.mysql.max-message-bytes",
            "veil.audit.postgres.tls-mode", "veil.audit.postgres.tls.mode"));

    /** veil login still reads this one, so a shell may well export it: only a warning for the gateway. */
    private static final String CLI_ISSUER = "VEIL_OIDC_ISSUER";

    private RenamedProperties() {
    }

    static void check(Map<String, String> environment, List<String> problems, Consumer<String> warnings) {
        RENAMED.forEach((old, renamed) -> {
            String variable = environmentName(old);
            if (!environment.containsKey(variable)) {
                return;
            }
            String message = variable + " (" + old + "): renamed " + environmentName(renamed) + " (" + renamed + ")";
            if (variable.equals(CLI_ISSUER)) {
                warnings.accept(message + "; the gateway ignores it (veil login still reads it)");
            } else {
                problems.add(message);
            }
        });
    }

    /** The environment variable of a property, as MicroProfile Config maps them: VEIL_OIDC_WEB_CLIENT_ID. */
    static String environmentName(String property) {
        return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }
}
