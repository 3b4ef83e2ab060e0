package dev.veil.frontend.mysql;

import dev.veil.analysis.Dialect;
import dev.veil.analysis.text.SqlTokenizer;
import dev.veil.analysis.text.StatementSniffer;
import dev.veil.analysis.text.Token;
import dev.veil.analysis.text.TokenKind;
import dev.veil.analysis.text.Tokens;
import dev.veil.protocol.mysql.Capabilities;
import dev.veil.protocol.mysql.Command;
import dev.veil.protocol.mysql.ResponseTracker.Shape;
import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;
import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * Decides what happens to each client command: forwarded (and what its answer looks like), answered by
 * Veil itself (COM_QUIT, KILL, and a KILL that begins a multi-statement text, the rest forwarded after it), or
 * refused with an error. Commands that would take the connection out of
 * the request/response rhythm Veil relays (replication streams, MariaDB bulk execution) are refused here, at
 * the protocol level; what a statement's text may do (KILL forms, LOAD DATA LOCAL INFILE) is decided by the
 * statement pipeline's built-in rules ({@code policy/}).
 */
final class MySqlCommandAdmission {
    enum Local { QUIT, KILL }

    /**
     * {@code changesSchema}: the command may select another schema (COM_INIT_DB, USE). {@code rest}: for a KILL
     * that begins a multi-statement text, the statements after it, which go to the server once Veil has run the KILL.
     */
    record Verdict(Shape shape, boolean forward, VeilException refusal, Local local, long killId, boolean killConnection,
                   boolean changesSchema, String rest) {
        static Verdict forward(Shape shape) {
            return new Verdict(shape, true, null, null, 0, false, false, null);
        }

        static Verdict forwardChangingSchema(Shape shape) {
            return new Verdict(shape, true, null, null, 0, false, true, null);
        }

        static Verdict refuse(VeilException e) {
            return new Verdict(null, false, e, null, 0, false, false, null);
        }

        static Verdict local(Local local) {
            return new Verdict(null, false, null, local, 0, false, false, null);
        }

        static Verdict kill(long id, boolean connection) {
            return new Verdict(null, false, null, Local.KILL, id, connection, false, null);
        }

        /** This KILL, then {@code rest} forwarded as a query of its own, its answer following the KILL's OK. */
        Verdict then(String rest, boolean restChangesSchema) {
            return new Verdict(null, false, null, Local.KILL, killId, killConnection, restChangesSchema, rest);
        }
    }

    private static final int COM_STMT_BULK_EXECUTE = 0xFA;

    Verdict admit(Buffer payload, int capabilities) {
        if (payload.length() == 0) {
            throw VeilException.fatal(ErrorCode.PROTOCOL_VIOLATION, "Malformed packet: empty command");
        }
        int code = payload.getUnsignedByte(0);
        return switch (code) {
            case Command.COM_QUIT -> Verdict.local(Local.QUIT);
            case Command.COM_QUERY -> mayNeedScan(payload) ? query(text(payload), capabilities) : Verdict.forward(Shape.RESULT);
            case Command.COM_STMT_PREPARE -> Verdict.forward(Shape.PREPARE);
            case Command.COM_STMT_EXECUTE -> {
                // Flags byte after the 4-byte statement id: any cursor type means the answer may stop
                // after the column definitions, rows then come through COM_STMT_FETCH.
                int flags = payload.length() > 5 ? payload.getUnsignedByte(5) : 0;
                yield Verdict.forward((flags & 0x07) != 0 ? Shape.RESULT_OR_CURSOR : Shape.RESULT);
            }
            case Command.COM_STMT_FETCH -> Verdict.forward(Shape.ROWS);
            case Command.COM_STMT_SEND_LONG_DATA, Command.COM_STMT_CLOSE -> Verdict.forward(null);
            case Command.COM_STMT_RESET, Command.COM_PING, Command.COM_STATISTICS, Command.COM_SET_OPTION,
                 Command.COM_RESET_CONNECTION, Command.COM_REFRESH, Command.COM_DEBUG,
                 Command.COM_CREATE_DB, Command.COM_DROP_DB -> Verdict.forward(Shape.SINGLE);
            case Command.COM_INIT_DB -> {
                String db = text(payload);
                if (db.indexOf('/') > 0) {
                    throw VeilException.error(ErrorCode.UNSUPPORTED, "Veil cannot move a session to another upstream ("
                            + db + "): open a new connection to that schema");
                }
                yield Verdict.forwardChangingSchema(Shape.SINGLE);
            }
            case Command.COM_FIELD_LIST -> Verdict.forward(Shape.FIELD_LIST);
            case Command.COM_PROCESS_INFO -> Verdict.forward(Shape.RESULT);
            case Command.COM_PROCESS_KILL -> {
                if (payload.length() < 5) {
                    throw VeilException.fatal(ErrorCode.PROTOCOL_VIOLATION, "Malformed packet: COM_PROCESS_KILL without an id");
                }
                yield Verdict.kill(payload.getUnsignedIntLE(1), true);
            }
            case Command.COM_CHANGE_USER -> throw VeilException.fatal(ErrorCode.UNSUPPORTED,
                    "COM_CHANGE_USER is not supported through Veil: open a new connection as the other user "
                            + "(connection pools: use COM_RESET_CONNECTION, e.g. useResetConnection=true)");
            case COM_STMT_BULK_EXECUTE -> throw VeilException.error(ErrorCode.UNSUPPORTED,
                    "COM_STMT_BULK_EXECUTE is not supported through Veil");
            default -> throw VeilException.error(ErrorCode.UNSUPPORTED, Command.name(code)
                    + " is not supported through Veil");
        };
    }

    private static String text(Buffer payload) {
        return payload.getString(1, payload.length(), StandardCharsets.UTF_8.name());
    }

    /**
     * True when the text may hold one of the statements the front end handles itself. Plain ASCII letters
     * of KILL, LOAD, USE or PREPARE in any case; most queries contain none and skip the full scan.
     */
    static boolean mayNeedScan(Buffer payload) {
        int n = payload.length();
        for (int i = 1; i < n; i++) {
            int b = payload.getUnsignedByte(i);
            if (b >= 0x80) {
                return true; // non-ASCII text: let the full scan decide
            }
            if (i + 2 < n) {
                int c = b | 0x20;
                int c1 = payload.getUnsignedByte(i + 1) | 0x20;
                int c2 = payload.getUnsignedByte(i + 2) | 0x20;
                if ((c == 'k' && c1 == 'i' && c2 == 'l') || (c == 'l' && c1 == 'o' && c2 == 'a')
                        || (c == 'u' && c1 == 's' && c2 == 'e') || (c == 'p' && c1 == 'r' && c2 == 'e')) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * A KILL that stands alone and names a bare id is answered by Veil itself, and so is one that begins a
     * multi-statement text (connection pools send "KILL QUERY n; SELECT SLEEP(0)"), the rest of the text going
     * on to the server after it; every other text goes to the statement pipeline, whose built-in rules refuse the
     * KILL forms and LOAD DATA LOCAL that Veil cannot relay.
     */
    private static Verdict query(String sql, int capabilities) {
        List<StatementSniffer.Statement> statements = StatementSniffer.statements(sql, true);
        boolean use = false;
        boolean laterKill = false;
        for (int i = 0; i < statements.size(); i++) {
            use |= statements.get(i).startsWith("USE");
            laterKill |= i > 0 && statements.get(i).startsWith("KILL");
        }
        if (!statements.isEmpty() && statements.get(0).startsWith("KILL")) {
            Verdict kill = kill(statements.get(0));
            if (kill != null && statements.size() == 1) {
                return kill;
            }
            String rest = kill == null || laterKill || !Capabilities.has(capabilities, Capabilities.MULTI_STATEMENTS)
                    ? null : afterFirstStatement(sql);
            if (rest != null) {
                return kill.then(rest, use);
            }
        }
        return use ? Verdict.forwardChangingSchema(Shape.RESULT) : Verdict.forward(Shape.RESULT);
    }

    /**
     * The text after the semicolon that ends the first statement, or null when it cannot be cut there safely:
     * a versioned comment open across the cut ({@code /*!50000 KILL 5; SELECT 1 *}{@code /}), or text the
     * tokenizer cannot read. The first statement is a bare KILL (words and a number), read alike under every
     * sql_mode, so the cut is where the server ends it.
     */
    private static String afterFirstStatement(String sql) {
        Tokens tokens = SqlTokenizer.forDialect(Dialect.MYSQL).tokenize(sql);
        if (tokens.malformed()) {
            return null;
        }
        for (Token t : tokens.all()) {
            if (t.kind() == TokenKind.VERSIONED_COMMENT_START) {
                return null;
            }
            if (t.isPunct(';')) {
                return sql.substring(t.end());
            }
        }
        return null;
    }

    /** KILL [HARD | SOFT] [CONNECTION | QUERY] id — the id is the one Veil's handshake gave; null for other forms. */
    private static Verdict kill(StatementSniffer.Statement st) {
        List<String> words = st.words();
        // The servers read KILL ... expr: "KILL 5 + 1" targets 6. Only a bare number is taken as an id.
        boolean bare = List.of(st.text().toUpperCase(Locale.ROOT).split("\\s+")).equals(words);
        int i = 1;
        if (i < words.size() && (words.get(i).equals("HARD") || words.get(i).equals("SOFT"))) {
            i++;
        }
        boolean connection = true;
        if (i < words.size() && (words.get(i).equals("CONNECTION") || words.get(i).equals("QUERY"))) {
            connection = words.get(i).equals("CONNECTION");
            i++;
        }
        if (bare && i == words.size() - 1 && words.get(i).chars().allMatch(Character::isDigit)) {
            try {
                return Verdict.kill(Long.parseLong(words.get(i)), connection);
            } catch (NumberFormatException e) {
                return null; // too large to be an id
            }
        }
        return null;
    }
}
