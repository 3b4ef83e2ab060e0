package dev.veil.frontend.mysql;

import dev.veil.analysis.text.StatementSniffer;
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
 * Veil itself (COM_QUIT, KILL), or refused with an error. Commands that would take the connection out of
 * the request/response rhythm Veil relays (replication streams, MariaDB bulk execution) are refused, as
 * are the statements the front end owns (KILL quoting Veil's ids, LOAD DATA LOCAL INFILE).
 */
final class MySqlCommandAdmission {
    enum Local { QUIT, KILL }

    /** {@code changesSchema}: the command may select another schema (COM_INIT_DB, USE). */
    record Verdict(Shape shape, boolean forward, VeilException refusal, Local local, long killId, boolean killConnection,
                   boolean changesSchema) {
        static Verdict forward(Shape shape) {
            return new Verdict(shape, true, null, null, 0, false, false);
        }

        static Verdict forwardChangingSchema(Shape shape) {
            return new Verdict(shape, true, null, null, 0, false, true);
        }

        static Verdict refuse(VeilException e) {
            return new Verdict(null, false, e, null, 0, false, false);
        }

        static Verdict local(Local local) {
            return new Verdict(null, false, null, local, 0, false, false);
        }

        static Verdict kill(long id, boolean connection) {
            return new Verdict(null, false, null, Local.KILL, id, connection, false);
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
            case Command.COM_QUERY -> mayNeedScan(payload) ? query(text(payload)) : Verdict.forward(Shape.RESULT);
            case Command.COM_STMT_PREPARE -> prepare(text(payload));
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

    private static Verdict query(String sql) {
        Verdict verdict = check(StatementSniffer.statements(sql, true));
        // A session under NO_BACKSLASH_ESCAPES (or ANSI_QUOTES for "...") ends a string where a backslash
        // stands before its quote: what that reading reveals must not reach the server either.
        if (sql.indexOf('\\') >= 0 && verdict.local() == null
                && check(StatementSniffer.statements(sql, false)).local() != null) {
            throw VeilException.error(ErrorCode.UNSUPPORTED, "KILL must be sent as a statement of its own through Veil");
        }
        return verdict;
    }

    private static Verdict check(List<StatementSniffer.Statement> statements) {
        boolean use = false;
        for (StatementSniffer.Statement st : statements) {
            use |= st.startsWith("USE");
            refuseLocalInfile(st);
            if (st.startsWith("KILL")) {
                if (statements.size() > 1) {
                    throw VeilException.error(ErrorCode.UNSUPPORTED, "KILL must be sent as a statement of its own through Veil");
                }
                return kill(st);
            }
            refuseDynamicKill(st);
        }
        return use ? Verdict.forwardChangingSchema(Shape.RESULT) : Verdict.forward(Shape.RESULT);
    }

    private static Verdict prepare(String sql) {
        for (StatementSniffer.Statement st : StatementSniffer.statements(sql)) {
            refuseLocalInfile(st);
            if (st.startsWith("KILL")) {
                throw VeilException.error(ErrorCode.UNSUPPORTED, "KILL cannot be prepared through Veil: send it as a plain query");
            }
            refuseDynamicKill(st);
        }
        return Verdict.forward(Shape.PREPARE);
    }

    /** KILL [HARD | SOFT] [CONNECTION | QUERY] id — the id is the one Veil's handshake gave. */
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
                // fall through: too large to be an id
            }
        }
        throw VeilException.error(ErrorCode.UNSUPPORTED, "Veil supports KILL [CONNECTION | QUERY] <connection id> only "
                + "(the id from CONNECTION_ID() at the server is not the one to use: use the id of Veil's handshake)");
    }

    private static void refuseLocalInfile(StatementSniffer.Statement st) {
        if (st.startsWith("LOAD") && st.words().contains("LOCAL")) {
            throw VeilException.error(ErrorCode.NOT_ALLOWED, "LOAD DATA LOCAL INFILE is refused by Veil: it lets a server read "
                    + "files from the client machine. Load the file from the server side or use INSERT statements");
        }
    }

    /**
     * SQL-level PREPARE … FROM '…KILL…' (and MariaDB's EXECUTE IMMEDIATE '…KILL…') would reach server thread ids
     * directly: refused, erring on the safe side.
     */
    private static void refuseDynamicKill(StatementSniffer.Statement st) {
        if ((st.startsWith("PREPARE") || st.startsWith("EXECUTE", "IMMEDIATE"))
                && st.text().toUpperCase(Locale.ROOT).contains("KILL")) {
            throw VeilException.error(ErrorCode.UNSUPPORTED, "a prepared KILL statement is not supported through Veil");
        }
    }
}
