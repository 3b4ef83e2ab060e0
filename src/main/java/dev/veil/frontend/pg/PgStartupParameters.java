package dev.veil.frontend.pg;

import dev.veil.protocol.pg.StartupMessage;
import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;
import dev.veil.upstream.DatabaseLogin;
import dev.veil.upstream.PgServerConnection;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What a client's StartupMessage asks for, turned into what Veil can do with a pooled server connection:
 * the run-time settings (application_name, client_encoding, DateStyle, TimeZone, {@code options=-c x=y}…)
 * are applied with SET after the pooled connection is reset, which is what the server would have done
 * with them at startup.
 */
public record PgStartupParameters(String user, String database, Map<String, String> settings,
                                  List<String> unsupportedProtocolOptions, String replication) {

    public PgStartupParameters(String user, String database, Map<String, String> settings, List<String> unsupportedProtocolOptions) {
        this(user, database, settings, unsupportedProtocolOptions, null);
    }

    public static PgStartupParameters from(StartupMessage startup) {
        Map<String, String> p = startup.parameters();
        String user = p.get("user");
        if (user == null || user.isEmpty()) {
            throw VeilException.fatal(ErrorCode.INVALID_AUTHORIZATION, "no PostgreSQL user name specified in startup packet");
        }
        Map<String, String> settings = new LinkedHashMap<>();
        List<String> protocolOptions = new ArrayList<>();
        String replication = null;
        for (Map.Entry<String, String> e : p.entrySet()) {
            String name = e.getKey();
            switch (name) {
                case "user", "database" -> { }
                case "replication" -> replication = replication(e.getValue());
                case "options" -> settings.putAll(parseOptions(e.getValue()));
                case "fallback_application_name" -> settings.putIfAbsent("application_name", e.getValue());
                default -> {
                    if (name.startsWith("_pq_.")) {
                        protocolOptions.add(name);
                    } else {
                        settings.put(name, e.getValue());
                    }
                }
            }
        }
        if (p.containsKey("application_name")) {
            settings.put("application_name", p.get("application_name"));
        }
        return new PgStartupParameters(user, startup.database(), settings, protocolOptions, replication);
    }

    /**
     * The startup parameter {@code replication} as the server reads it: {@code database} for a logical replication
     * connection (SQL too), a boolean true for a physical one (replication commands only), false for neither (null).
     */
    private static String replication(String value) {
        String v = value.strip().toLowerCase(Locale.ROOT);
        if (v.equals("database")) {
            return "database";
        }
        // The server's parse_bool: true, yes, on, 1 (and unique prefixes such as "t" or "y"), or their opposites.
        if (!v.isEmpty() && ("true".startsWith(v) || "yes".startsWith(v)) || v.equals("on") || v.equals("1")) {
            return "true";
        }
        if (!v.isEmpty() && ("false".startsWith(v) || "no".startsWith(v)) || v.equals("off") || v.equals("of") || v.equals("0")) {
            return null;
        }
        throw VeilException.fatal(ErrorCode.INVALID_PARAMETER_VALUE, "invalid value for parameter \"replication\": \""
                + value + "\"; valid values are \"false\", 0, \"true\", 1, \"database\"");
    }

    /** Whether the client asked for a replication connection (physical or logical). */
    public boolean replicating() {
        return replication != null;
    }

    /**
     * The startup packet of a replication connection's own server connection: the client's settings go in it, as
     * a physical replication connection runs no SQL to apply them later.
     */
    public Map<String, String> replicationStartup() {
        Map<String, String> params = new LinkedHashMap<>(settings);
        params.put("replication", replication);
        return params;
    }

    /** Settings that would make a read-only login's transactions read-write (names are case-insensitive). */
    private static final Set<String> READ_ONLY_SETTINGS = Set.of(PgServerConnection.READ_ONLY_SETTING, "transaction_read_only");
    /** The values PostgreSQL reads as true for a boolean setting. */
    private static final Set<String> KEEPS_READ_ONLY = Set.of("on", "true", "yes", "1", "t", "y");

    /**
     * A session of a read-only database user may not start with its transactions read-write: the settings are
     * applied after the connection's own start-up, so they would override it. Refused before any lease, with 42501.
     */
    void refuseReadWrite(DatabaseLogin login) {
        for (Map.Entry<String, String> setting : settings.entrySet()) {
            String name = setting.getKey();
            // Asking for read-only (Veil's own MCP sessions do) keeps what the login already is.
            if (READ_ONLY_SETTINGS.contains(name.toLowerCase(Locale.ROOT)) && !KEEPS_READ_ONLY.contains(
                    setting.getValue().strip().toLowerCase(Locale.ROOT))) {
                throw VeilException.fatal(ErrorCode.POLICY_DENIED, "guardrail transaction-mode: the startup parameter "
                        + name + " could make the transaction read-write, and this session's database user " + login.user()
                        + " is read-only; connect without it");
            }
        }
    }

    /**
     * The command-line style {@code options} parameter: {@code -c name=value} or {@code --name=value}
     * separated by spaces; a backslash escapes the next character (as libpq documents).
     */
    static Map<String, String> parseOptions(String options) {
        List<String> words = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean any = false;
        for (int i = 0; i < options.length(); i++) {
            char c = options.charAt(i);
            if (c == '\\' && i + 1 < options.length()) {
                cur.append(options.charAt(++i));
                any = true;
            } else if (Character.isWhitespace(c)) {
                if (any) {
                    words.add(cur.toString());
                    cur.setLength(0);
                    any = false;
                }
            } else {
                cur.append(c);
                any = true;
            }
        }
        if (any) {
            words.add(cur.toString());
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            String assignment;
            if (w.equals("-c") && i + 1 < words.size()) {
                assignment = words.get(++i);
            } else if (w.startsWith("-c") && w.length() > 2) {
                assignment = w.substring(2);
            } else if (w.startsWith("--") && w.length() > 2) {
                assignment = w.substring(2);
            } else {
                throw VeilException.fatal(ErrorCode.UNSUPPORTED,
                        "unsupported command-line option \"" + w + "\" in options; only -c name=value and --name=value pass through Veil");
            }
            int eq = assignment.indexOf('=');
            if (eq <= 0) {
                throw VeilException.fatal(ErrorCode.PROTOCOL_VIOLATION, "invalid option \"" + assignment + "\": expected name=value");
            }
            // As the server does, dashes in an option name stand for underscores.
            out.put(assignment.substring(0, eq).replace('-', '_'), assignment.substring(eq + 1));
        }
        return out;
    }

    /**
     * One simple-query string applying every setting, or null when there is none. set_config() takes the
     * value as raw text, exactly as a startup parameter is taken (SET would parse it: a list such as
     * search_path=a,b given as one literal would become a single schema name).
     */
    public String setStatement() {
        return setStatement(settings);
    }

    /** {@link #setStatement()} for any settings (transaction pooling adds those a session SET later). */
    static String setStatement(Map<String, String> settings) {
        if (settings.isEmpty()) {
            return null;
        }
        StringBuilder sb = new StringBuilder("SELECT ");
        boolean first = true;
        for (Map.Entry<String, String> e : settings.entrySet()) {
            sb.append(first ? "" : ", ").append("pg_catalog.set_config(").append(quoteLiteral(e.getKey()))
                    .append(", ").append(quoteLiteral(e.getValue())).append(", false)");
            first = false;
        }
        return sb.toString();
    }

    /**
     * A dollar-quoted literal: unlike '...', its meaning does not depend on the server's
     * standard_conforming_strings, so a backslash in a value can never escape the quote.
     */
    static String quoteLiteral(String s) {
        // The tag must not occur in the value, nor be completed by the value's tail (a value ending in "$veil").
        String tag = "$veil$";
        for (int i = 0; (s + tag).indexOf(tag) != s.length(); i++) {
            tag = "$veil" + i + "$";
        }
        return tag + s + tag;
    }
}
