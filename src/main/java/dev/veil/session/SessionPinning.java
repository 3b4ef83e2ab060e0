package dev.veil.session;

import dev.veil.analysis.Dialect;
import dev.veil.analysis.text.SqlTokenizer;
import dev.veil.analysis.text.Token;
import dev.veil.analysis.text.TokenKind;
import dev.veil.upstream.PinReason;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Whether a PostgreSQL statement text changes state that lives in the server session beyond its transaction,
 * so that a session under transaction pooling must keep its server connection: SET (not LOCAL), RESET,
 * set_config(…, false), PREPARE, LISTEN, LOAD, session-level advisory locks, temporary tables, cursors WITH
 * HOLD. Read from the tokens of every statement of the text (comments and literals cannot fool it). A change
 * the text does not show (a function that calls set_config, say) shows later as a ParameterStatus for a
 * reported parameter; the connection checks that at the end of each transaction. A SET of a reported parameter
 * that clients set as a matter of course ({@link #followsSession}) does not pin: its value follows the session.
 * Pure and thread-safe.
 */
public final class SessionPinning {
    private static final SqlTokenizer TOKENIZER = SqlTokenizer.forDialect(Dialect.POSTGRESQL);
    /** Texts without any of these words cannot pin: most statements are never tokenized here. */
    private static final Pattern MAY_PIN = Pattern.compile(
            "(?i)(?:\\b(?:set|reset|prepare|listen|load|temp|temporary|hold|pg_temp)\\b|advisory|set_config)");

    /**
     * Reported parameters a session may SET without being pinned: clients set them as a matter of course
     * (pgjdbc sends SET application_name after connecting), the server reports each change, and the session's
     * value is applied again on every server connection it leases (as PgBouncer tracks them).
     */
    private static final Set<String> FOLLOWED = Set.of("application_name", "client_encoding", "datestyle", "timezone",
            "intervalstyle");

    private SessionPinning() {
    }

    /** Whether a SET of {@code parameter} follows the session from connection to connection instead of pinning it. */
    public static boolean followsSession(String parameter) {
        return FOLLOWED.contains(parameter.toLowerCase(Locale.ROOT));
    }

    /** Why {@code sql} pins its session, or null when it changes no session state. */
    public static PinReason of(String sql) {
        if (sql == null || !MAY_PIN.matcher(sql).find()) {
            return null;
        }
        List<Token> code = TOKENIZER.tokenize(sql).code();
        boolean head = true;
        for (int i = 0; i < code.size(); i++) {
            Token t = code.get(i);
            if (t.isPunct(';')) {
                head = true;
                continue;
            }
            PinReason r = head ? statement(code, i) : null;
            head = false;
            if (r == null) {
                r = expression(code, i);
            }
            if (r != null) {
                return r;
            }
        }
        return null;
    }

    /** What the statement starting at {@code i} does to the session, judged by its first words. */
    private static PinReason statement(List<Token> code, int i) {
        Token t = code.get(i);
        Token next = at(code, i + 1);
        if (t.is("SET")) {
            if (next != null && next.isAny("LOCAL", "TRANSACTION")) {
                return null; // ends with the transaction
            }
            Token name = next != null && next.is("SESSION") ? at(code, i + 2) : next;
            if (name != null && (name.isAny("NAMES") || (name.is("TIME") && at(code, i + 2) != null && at(code, i + 2).is("ZONE"))
                    || (name.isName() && followsSession(name.kind() == TokenKind.WORD ? name.text() : name.value())))) {
                return null; // SET NAMES is client_encoding, SET TIME ZONE is TimeZone: followed, not pinned
            }
            return PinReason.SET;
        }
        if (t.is("RESET")) {
            return PinReason.RESET;
        }
        if (t.is("PREPARE")) {
            return next != null && next.is("TRANSACTION") ? null : PinReason.PREPARE;
        }
        if (t.is("LISTEN")) {
            return PinReason.LISTEN;
        }
        if (t.is("LOAD")) {
            return PinReason.LOAD;
        }
        if (t.is("CREATE")) {
            // CREATE [OR REPLACE] [GLOBAL | LOCAL] {TEMP | TEMPORARY} [RECURSIVE] {TABLE | VIEW | SEQUENCE} …, or pg_temp.name
            for (int j = i + 1; j < Math.min(code.size(), i + 6) && !code.get(j).isPunct(';'); j++) {
                Token w = code.get(j);
                if (w.isAny("TEMP", "TEMPORARY")) {
                    return PinReason.TEMP_TABLE;
                }
                if (w.isAny("TABLE", "VIEW", "SEQUENCE")) {
                    Token schema = at(code, j + 1);
                    Token dot = at(code, j + 2);
                    return schema != null && schema.is("pg_temp") && dot != null && dot.isPunct('.') ? PinReason.TEMP_TABLE : null;
                }
            }
            return null;
        }
        if (t.is("DECLARE")) {
            for (int j = i + 1; j < code.size() && !code.get(j).isPunct(';') && !code.get(j).is("FOR"); j++) {
                if (code.get(j).is("WITH") && at(code, j + 1) != null && at(code, j + 1).is("HOLD")) {
                    return PinReason.CURSOR_WITH_HOLD;
                }
            }
        }
        return null;
    }

    /** Function calls and clauses anywhere in a statement. */
    private static PinReason expression(List<Token> code, int i) {
        Token t = code.get(i);
        Token next = at(code, i + 1);
        if (t.isAny("INTO") && next != null && next.isAny("TEMP", "TEMPORARY")) {
            return PinReason.TEMP_TABLE; // SELECT … INTO TEMP
        }
        if (next == null || !next.isPunct('(')) {
            return null;
        }
        if (t.isAny("pg_advisory_lock", "pg_advisory_lock_shared", "pg_try_advisory_lock", "pg_try_advisory_lock_shared")) {
            return PinReason.ADVISORY_LOCK;
        }
        if (t.is("set_config") && !localSetConfig(code, i + 1)) {
            return PinReason.SET;
        }
        return null;
    }

    /** set_config(name, value, is_local) with is_local the literal true (anything else may be session-wide). */
    private static boolean localSetConfig(List<Token> code, int open) {
        int depth = 0;
        int commas = 0;
        for (int j = open; j < code.size(); j++) {
            Token t = code.get(j);
            if (t.isPunct('(')) {
                depth++;
            } else if (t.isPunct(')')) {
                if (--depth == 0) {
                    return false;
                }
            } else if (depth == 1 && t.isPunct(',')) {
                commas++;
            } else if (depth == 1 && commas == 2) {
                return t.is("true") && at(code, j + 1) != null && at(code, j + 1).isPunct(')');
            }
        }
        return false;
    }

    private static Token at(List<Token> code, int i) {
        return i < code.size() ? code.get(i) : null;
    }
}
