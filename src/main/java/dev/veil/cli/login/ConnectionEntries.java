package dev.veil.cli.login;

import java.util.ArrayList;
import java.util.List;

/**
 * The text of each output format: shell environment lines, a ~/.pgpass line, a pg_service.conf section and a
 * MySQL option file, plus merging an entry into an existing pgpass or service file. Pure string work; writing
 * is {@link ConnectionFiles}.
 */
public final class ConnectionEntries {
    private ConnectionEntries() {
    }

    /** {@code eval "$(veil login)"}: libpq's environment variables, values single-quoted for any POSIX shell. */
    public static String env(ConnectionTarget t, String token) {
        StringBuilder b = new StringBuilder();
        export(b, "PGHOST", t.host());
        export(b, "PGPORT", String.valueOf(t.pgPort()));
        export(b, "PGUSER", t.user());
        export(b, "PGPASSWORD", token);
        export(b, "PGSSLMODE", t.sslMode());
        if (t.database() != null) {
            export(b, "PGDATABASE", t.database());
        }
        return b.toString();
    }

    private static void export(StringBuilder b, String name, String value) {
        b.append("export ").append(name).append('=').append(shellQuote(value)).append('\n');
    }

    static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /**
     * {@code hostname:port:database:username:password}; ':' and '\' inside a field are escaped with '\'
     * (libpq "The Password File"). Without a database the entry matches any ({@code *}).
     */
    public static String pgpassLine(ConnectionTarget t, String token) {
        return pgpassEscape(t.host()) + ":" + t.pgPort() + ":" + (t.database() == null ? "*" : pgpassEscape(t.database()))
                + ":" + pgpassEscape(t.user()) + ":" + pgpassEscape(token);
    }

    static String pgpassEscape(String s) {
        return s.replace("\\", "\\\\").replace(":", "\\:");
    }

    /** The entry first (libpq takes the first matching line), earlier entries for the same host:port:db:user dropped. */
    public static String mergePgpass(String existing, ConnectionTarget t, String token) {
        List<String> key = pgpassFields(pgpassLine(t, token)).subList(0, 4);
        StringBuilder b = new StringBuilder(pgpassLine(t, token)).append('\n');
        for (String line : lines(existing)) {
            boolean entry = !line.isBlank() && !line.stripLeading().startsWith("#");
            if (entry) {
                List<String> f = pgpassFields(line);
                if (f.size() >= 5 && f.subList(0, 4).equals(key)) {
                    continue;
                }
            }
            b.append(line).append('\n');
        }
        return b.toString();
    }

    /** The fields of a pgpass line, unescaped (libpq's own reading: '\' escapes the next character). */
    static List<String> pgpassFields(String line) {
        List<String> fields = new ArrayList<>();
        StringBuilder f = new StringBuilder();
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length()) {
                f.append(line.charAt(++i));
            } else if (c == ':' && fields.size() < 4) {
                fields.add(f.toString());
                f.setLength(0);
            } else {
                f.append(c);
            }
        }
        fields.add(f.toString());
        return fields;
    }

    /**
     * A pg_service.conf section without the password: libpq before 16 rejects service-file lines over 255
     * characters ("line too long in service file"), shorter than a token, so the token goes to ~/.pgpass, which
     * libpq consults with the section's host, port, database and user.
     */
    public static String pgService(String service, ConnectionTarget t) {
        StringBuilder b = new StringBuilder("[").append(service).append("]\n");
        b.append("host=").append(t.host()).append('\n');
        b.append("port=").append(t.pgPort()).append('\n');
        b.append("user=").append(t.user()).append('\n');
        b.append("sslmode=").append(t.sslMode()).append('\n');
        if (t.database() != null) {
            b.append("dbname=").append(t.database()).append('\n');
        }
        return b.toString();
    }

    /** Replaces section {@code [service]} (header to the next header) and keeps everything else. */
    public static String mergeService(String existing, String service, ConnectionTarget t) {
        StringBuilder b = new StringBuilder();
        boolean skipping = false;
        for (String line : lines(existing)) {
            String s = line.strip();
            if (s.startsWith("[") && s.endsWith("]")) {
                skipping = s.substring(1, s.length() - 1).strip().equals(service);
            }
            if (!skipping) {
                b.append(line).append('\n');
            }
        }
        if (b.length() > 0 && !b.toString().endsWith("\n\n")) {
            b.append('\n');
        }
        return b.append(pgService(service, t)).toString();
    }

    /**
     * A MySQL option file for {@code mysql --defaults-extra-file=FILE}, in the dialect of the client family
     * ({@link MysqlClient}). The token is a cleartext password: MySQL's client must be allowed to send it with
     * mysql_clear_password (MariaDB's always may) and TLS is asked for in each family's own words.
     */
    public static String mysqlOptions(ConnectionTarget t, String token, MysqlClient client) {
        StringBuilder b = new StringBuilder("# Written by veil login: the token is the password, sent as cleartext inside TLS.\n");
        b.append("[client]\n");
        b.append("host=").append(t.host()).append('\n');
        b.append("port=").append(t.mysqlPort()).append('\n');
        b.append("user=").append(optionQuote(t.user())).append('\n');
        b.append("password=").append(optionQuote(token)).append('\n');
        if (t.database() != null) {
            b.append("database=").append(optionQuote(t.database())).append('\n');
        }
        if (client == MysqlClient.MYSQL) {
            b.append("enable-cleartext-plugin\n");
            b.append("ssl-mode=").append(t.mysqlSslMode()).append('\n');
        } else if (t.sslMode().equals("disable")) {
            b.append("skip-ssl\n");
        } else {
            b.append("ssl\n");
            // libpq's meaning: only verify-ca and verify-full check the certificate (MariaDB 11.4+ would by default)
            b.append(t.sslMode().startsWith("verify") ? "ssl-verify-server-cert\n" : "skip-ssl-verify-server-cert\n");
        }
        return b.toString();
    }

    /** Option-file values may be double-quoted; inside, '\' escapes (MySQL "Using Option Files"). */
    static String optionQuote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static List<String> lines(String text) {
        if (text == null || text.isEmpty()) {
            return List.of();
        }
        String[] parts = text.split("\r?\n", -1);
        // a final newline ends the last line; it does not start an empty one
        return List.of(parts).subList(0, text.endsWith("\n") ? parts.length - 1 : parts.length);
    }
}
