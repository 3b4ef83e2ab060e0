package dev.veil.analysis.text;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The literals of a text that name a program, a file or directory, a library or a server, rather than hold
 * data: what an auditor must see of {@code COPY t TO PROGRAM 'curl …'} or {@code pg_read_file('/etc/passwd')},
 * and what policy decides on. Everything else a literal holds is data (or a secret), and the audit trail keeps
 * none of it. A password inside a kept literal (a connection string, a URL, a command line) is still replaced,
 * see {@link ConnectionSecrets}.
 *
 * <p>Read by the statement's words, in both dialects:
 * <ul>
 *   <li>PostgreSQL COPY … TO / FROM 'file' and TO / FROM PROGRAM 'command';</li>
 *   <li>the path arguments of pg_read_file, pg_read_binary_file, pg_stat_file, pg_ls_dir, lo_import,
 *       lo_export, the adminpack pg_file_* functions and MySQL's load_file, and the connection of dblink,
 *       dblink_exec (with two or more arguments) and dblink_connect;</li>
 *   <li>MySQL LOAD DATA / XML … INFILE 'path', SELECT … INTO OUTFILE / DUMPFILE 'path', SONAME 'library',
 *       ADD DATAFILE 'file';</li>
 *   <li>CREATE TABLESPACE … LOCATION 'dir', LOAD 'library', C functions' AS 'library', 'symbol';</li>
 *   <li>OPTIONS (…) of servers, foreign tables, user mappings (host, port, dbname, filename, program, user…, not
 *       password), CONNECTION 'conninfo or URL' of subscriptions and tables, DATA / INDEX DIRECTORY,
 *       FILE_NAME, the host, port, user and file settings of CHANGE MASTER / REPLICATION SOURCE TO, and
 *       ALTER SYSTEM SET of *_command, *_file, *_directory, *_path and *_libraries settings.</li>
 * </ul>
 */
public final class ResourceLiterals {
    /** Functions and the (0-based) arguments that name files. */
    private static final Map<String, Set<Integer>> PATH_ARGUMENTS = Map.ofEntries(
            Map.entry("pg_read_file", Set.of(0)), Map.entry("pg_read_binary_file", Set.of(0)),
            Map.entry("pg_stat_file", Set.of(0)), Map.entry("pg_ls_dir", Set.of(0)),
            Map.entry("lo_import", Set.of(0)), Map.entry("lo_export", Set.of(1)),
            Map.entry("pg_file_write", Set.of(0)), Map.entry("pg_file_rename", Set.of(0, 1, 2)),
            Map.entry("pg_file_unlink", Set.of(0)), Map.entry("pg_file_sync", Set.of(0)),
            Map.entry("load_file", Set.of(0)),
            Map.entry("dblink_connect", Set.of(0, 1)), Map.entry("dblink_connect_u", Set.of(0, 1)));
    /** dblink(connection, sql) and dblink_exec(connection, sql): with one argument, that one is the SQL. */
    private static final Set<String> DBLINK = Set.of("dblink", "dblink_exec");
    /** Options that say where: which server, file or program; never a password. */
    private static final Set<String> WHERE_OPTIONS = Set.of("host", "hostaddr", "port", "dbname", "database",
            "service", "socket", "user", "username", "filename", "program", "url", "uri", "passfile", "sslcert",
            "sslkey", "sslrootcert", "sslcrl");
    private static final Set<String> REPLICATION_SETTINGS = Set.of("HOST", "PORT", "USER", "LOG_FILE", "SSL_CA",
            "SSL_CAPATH", "SSL_CERT", "SSL_KEY", "SSL_CRL", "SSL_CRLPATH", "PUBLIC_KEY_PATH");

    /**
     * Words without which a text keeps no literal: the statements, clauses and functions read here. Most
     * statements hold none of them, and are not read further (this runs for every statement audited).
     */
    private static final Set<String> TRIGGERS = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);

    static {
        TRIGGERS.addAll(List.of("COPY", "LOAD", "ALTER", "CHANGE", "CREATE", "INFILE", "OUTFILE", "DUMPFILE", "SONAME",
                "DATAFILE", "OPTIONS"));
        TRIGGERS.addAll(PATH_ARGUMENTS.keySet());
        TRIGGERS.addAll(DBLINK);
    }

    private final List<Token> code;
    private final boolean postgres;
    private final Map<Integer, String> kept;

    private ResourceLiterals(List<Token> code, boolean postgres, Map<Integer, String> kept) {
        this.code = code;
        this.postgres = postgres;
        this.kept = kept;
    }

    /**
     * The literals to keep, by start offset in the text: the text to record for each, the literal as written or,
     * when it holds a password, re-quoted with the password replaced.
     */
    public static Map<Integer, String> of(Tokens tokens) {
        if (!mayKeep(tokens)) {
            return Map.of();
        }
        Map<Integer, String> kept = new HashMap<>();
        for (StatementText statement : StatementSplitter.split(tokens)) {
            new ResourceLiterals(statement.code(), tokens.settings().postgres(), kept).read();
        }
        return kept;
    }

    /** Whether the text has a literal, and a trigger word where one matters: first, before '(' or a literal. */
    private static boolean mayKeep(Tokens tokens) {
        List<Token> code = tokens.code();
        boolean literal = false;
        boolean trigger = false;
        for (int i = 0; i < code.size(); i++) {
            Token t = code.get(i);
            if (t.kind().isLiteral()) {
                literal = true;
            } else if (!trigger && t.kind() == TokenKind.WORD
                    && (i == 0 || code.get(i - 1).isPunct(';') || i + 1 < code.size()
                    && (code.get(i + 1).isPunct('(') || code.get(i + 1).kind().isLiteral()))) {
                trigger = TRIGGERS.contains(t.text());
            }
            if (literal && trigger) {
                return true;
            }
        }
        return false;
    }

    private void read() {
        if (code.isEmpty()) {
            return;
        }
        boolean creates = is(0, "CREATE") || is(0, "ALTER");
        if (is(0, "COPY")) {
            copy();
        }
        if (is(0, "LOAD") && literal(1)) {
            keep(1); // PostgreSQL LOAD 'library'
        }
        if (is(0, "ALTER") && is(1, "SYSTEM")) {
            alterSystem();
        }
        if (is(0, "CHANGE")) {
            replicationSource();
        }
        if (creates && (is(1, "FUNCTION") || is(1, "OR") && is(3, "FUNCTION"))) {
            cFunction();
        }
        for (int i = 0; i < code.size(); i++) {
            Token t = code.get(i);
            if (t.isAny("INFILE", "OUTFILE", "DUMPFILE", "SONAME", "DATAFILE") && literal(i + 1)) {
                keep(i + 1);
            } else if (t.is("OPTIONS") && punct(i + 1, '(')) {
                options(i + 1);
            } else if (t.isName() && punct(i + 1, '(')) {
                call(i);
            } else if (creates && t.is("LOCATION") && literal(i + 1)) {
                keep(i + 1); // CREATE TABLESPACE … LOCATION 'directory'
            } else if (creates && (t.isAny("CONNECTION", "FILE_NAME")
                    || t.is("DIRECTORY") && i > 0 && code.get(i - 1).isAny("DATA", "INDEX"))) {
                keep(punct(i + 1, '=') || op(i + 1, "=") ? i + 2 : i + 1);
            }
        }
    }

    /** COPY … TO | FROM [PROGRAM] 'target': the first TO / FROM outside parentheses is the direction. */
    private void copy() {
        int depth = 0;
        for (int i = 1; i < code.size(); i++) {
            Token t = code.get(i);
            if (t.isPunct('(')) {
                depth++;
            } else if (t.isPunct(')')) {
                depth--;
            } else if (depth == 0 && t.isAny("TO", "FROM")) {
                keep(is(i + 1, "PROGRAM") ? i + 2 : i + 1);
                return;
            }
        }
    }

    /** A call of a function that takes paths or connections: keeps the literals of those arguments. */
    private void call(int name) {
        String function = code.get(name).kind() == TokenKind.QUOTED_IDENTIFIER ? code.get(name).value()
                : code.get(name).text().toLowerCase(Locale.ROOT);
        Set<Integer> arguments = PATH_ARGUMENTS.get(function);
        if (arguments == null && !DBLINK.contains(function)) {
            return;
        }
        List<int[]> args = arguments(name + 1);
        if (DBLINK.contains(function)) {
            arguments = args.size() >= 2 ? Set.of(0) : Set.of();
        }
        for (int a = 0; a < args.size(); a++) {
            if (arguments.contains(a)) {
                for (int k = args.get(a)[0]; k < args.get(a)[1]; k++) {
                    if (code.get(k).kind() == TokenKind.STRING) {
                        keep(k);
                    }
                }
            }
        }
    }

    /** The arguments of the call whose '(' is at {@code open}: [first, end) code index ranges. */
    private List<int[]> arguments(int open) {
        List<int[]> out = new ArrayList<>();
        int depth = 0;
        int start = open + 1;
        for (int k = open; k < code.size(); k++) {
            Token t = code.get(k);
            if (t.isPunct('(') || t.isPunct('[')) {
                depth++;
            } else if (t.isPunct(')') || t.isPunct(']')) {
                if (--depth == 0) {
                    if (k > start) {
                        out.add(new int[] {start, k});
                    }
                    return out;
                }
            } else if (depth == 1 && t.isPunct(',')) {
                out.add(new int[] {start, k});
                start = k + 1;
            }
        }
        return out;
    }

    /** OPTIONS ( [ADD | SET | DROP] name 'value', … ): keeps the values of the options that say where. */
    private void options(int open) {
        for (int[] item : arguments(open)) {
            int k = item[0];
            if (code.get(k).isAny("ADD", "SET", "DROP") && k + 1 < item[1]) {
                k++;
            }
            String option = name(k);
            if (option != null && WHERE_OPTIONS.contains(option.toLowerCase(Locale.ROOT)) && k + 1 < item[1]) {
                keep(k + 1);
            }
        }
    }

    /** CHANGE MASTER | REPLICATION SOURCE TO name = value, …: host, port, user and file settings. */
    private void replicationSource() {
        for (int i = 0; i + 2 < code.size(); i++) {
            String setting = code.get(i).kind() == TokenKind.WORD ? code.get(i).text().toUpperCase(Locale.ROOT) : "";
            String bare = setting.replaceFirst("^(MASTER|SOURCE)_", "");
            boolean where = !bare.equals(setting) && REPLICATION_SETTINGS.contains(bare)
                    || setting.equals("RELAY_LOG_FILE");
            if (where && op(i + 1, "=")) {
                keep(i + 2);
            }
        }
    }

    /** ALTER SYSTEM SET name = | TO 'value' for settings that name commands, files, directories or libraries. */
    private void alterSystem() {
        if (!is(2, "SET") || code.size() < 6) {
            return;
        }
        String setting = name(3);
        if (setting != null && setting.toLowerCase(Locale.ROOT).matches(".*_(command|file|directory|path|libraries)")
                && (op(4, "=") || is(4, "TO"))) {
            for (int k = 5; k < code.size(); k++) {
                if (literal(k)) {
                    keep(k);
                }
            }
        }
    }

    /** CREATE FUNCTION … AS 'library', 'symbol' … LANGUAGE C: the library file and its symbol. */
    private void cFunction() {
        int as = -1;
        boolean c = false;
        int depth = 0;
        for (int i = 0; i < code.size(); i++) {
            Token t = code.get(i);
            if (t.isPunct('(')) {
                depth++;
            } else if (t.isPunct(')')) {
                depth--;
            } else if (depth == 0 && t.is("AS") && as < 0) {
                as = i;
            } else if (depth == 0 && t.is("LANGUAGE") && i + 1 < code.size()) {
                Token language = code.get(i + 1);
                String name = language.kind() == TokenKind.WORD ? language.text() : language.value();
                c = name != null && name.equalsIgnoreCase("c");
            }
        }
        if (c && as >= 0 && literal(as + 1)) {
            keep(as + 1);
            if (punct(as + 2, ',') && literal(as + 3)) {
                keep(as + 3);
            }
        }
    }

    /** The literal at {@code k} (and the strings adjacent to it, which continue it) is kept. */
    private void keep(int k) {
        while (literal(k)) {
            Token t = code.get(k);
            String value = t.kind() == TokenKind.STRING && t.value() != null ? t.value() : null;
            String redacted = value == null ? null : ConnectionSecrets.redact(value);
            kept.put(t.start(), redacted == null || redacted.equals(value) ? t.text() : quote(redacted));
            if (t.kind() != TokenKind.STRING || !(k + 1 < code.size() && code.get(k + 1).kind() == TokenKind.STRING)) {
                return;
            }
            k++;
        }
    }

    private String quote(String value) {
        String escaped = postgres ? value : value.replace("\\", "\\\\");
        return "'" + escaped.replace("'", "''") + "'";
    }

    private String name(int k) {
        if (k >= code.size()) {
            return null;
        }
        Token t = code.get(k);
        return t.kind() == TokenKind.WORD ? t.text() : t.kind() == TokenKind.QUOTED_IDENTIFIER ? t.value() : null;
    }

    private boolean literal(int k) {
        return k >= 0 && k < code.size() && code.get(k).kind().isLiteral();
    }

    private boolean is(int k, String word) {
        return k < code.size() && code.get(k).is(word);
    }

    private boolean punct(int k, char c) {
        return k < code.size() && code.get(k).isPunct(c);
    }

    private boolean op(int k, String operator) {
        return k < code.size() && code.get(k).isOperator(operator);
    }
}
