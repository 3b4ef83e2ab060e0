package dev.veil.policy;

import dev.veil.analysis.Dialect;
import dev.veil.analysis.text.StatementSniffer;
import dev.veil.error.ErrorCode;

import java.util.List;
import java.util.Locale;

/**
 * Built-in: the connection ids MySQL clients quote in KILL are the ones Veil's handshake gave, not the server's
 * thread ids. The MySQL front end answers a KILL that names a bare id itself, when it stands alone or begins a
 * multi-statement text (the rest of the text comes here on its own); any other KILL that reaches the pipeline
 * would hit a server thread by Veil's numbering, possibly someone else's, and is refused: KILL after another
 * statement of a multi-statement text, KILL of an expression, KILL prepared (COM_STMT_PREPARE, SQL
 * PREPARE … FROM, MariaDB's EXECUTE IMMEDIATE).
 *
 * <p>Whether a backslash escapes a quote depends on the session's sql_mode (NO_BACKSLASH_ESCAPES, and ANSI_QUOTES
 * for "…", where a backslash escapes nothing), which Veil does not follow: text with a backslash is read every
 * way, and a KILL any reading reveals is refused.
 */
final class MySqlKillRule implements Rule {
    static final String NAME = "builtin.mysql-kill";

    @Override
    public Decision apply(StatementFacts statement) {
        String sql = statement.sql();
        if (statement.dialect() != Dialect.MYSQL || !Mentions.mayContain(sql, "kill")) {
            return null;
        }
        String reason = reason(StatementSniffer.statements(sql, true), statement.preparing(), true);
        if (reason == null && sql.indexOf('\\') >= 0) {
            reason = reason(StatementSniffer.statements(sql, false), statement.preparing(), false);
            if (reason == null && sql.indexOf('"') >= 0) {
                reason = reason(StatementSniffer.statements(sql, true, true), statement.preparing(), false);
            }
        }
        return reason == null ? null : new Decision.Deny(NAME, ErrorCode.UNSUPPORTED, reason + " (rule " + NAME + ")");
    }

    private static String reason(List<StatementSniffer.Statement> statements, boolean preparing, boolean asSent) {
        for (StatementSniffer.Statement st : statements) {
            if (st.startsWith("KILL")) {
                if (preparing) {
                    return "KILL cannot be prepared through Veil: send it as a plain query";
                }
                if (statements.size() > 1 || !asSent) {
                    return "KILL inside a multi-statement text goes through Veil only as its first statement, naming a "
                            + "connection id, with multi-statements enabled: Veil runs a KILL itself, as the ids clients see "
                            + "are Veil's; put it first, or send it as a statement of its own";
                }
                return "Veil supports KILL [CONNECTION | QUERY] <connection id> only, the id a plain number: the "
                        + "connection id of Veil's handshake, which SELECT CONNECTION_ID() returns";
            }
            if ((st.startsWith("PREPARE") || st.startsWith("EXECUTE", "IMMEDIATE"))
                    && st.text().toUpperCase(Locale.ROOT).contains("KILL")) {
                return "a prepared KILL statement is not supported through Veil";
            }
        }
        return null;
    }
}
