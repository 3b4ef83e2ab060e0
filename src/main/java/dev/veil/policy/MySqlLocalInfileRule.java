package dev.veil.policy;

import dev.veil.analysis.Dialect;
import dev.veil.analysis.text.StatementSniffer;
import dev.veil.error.ErrorCode;

import java.util.List;

/**
 * Built-in: LOAD DATA LOCAL INFILE lets the server ask the client machine for any file it names, so a
 * statement that reaches the server through Veil could read files from every client's disk. Refused as a
 * statement and as a prepared statement.
 */
final class MySqlLocalInfileRule implements Rule {
    static final String NAME = "builtin.mysql-local-infile";

    @Override
    public Decision apply(StatementFacts statement) {
        if (statement.dialect() != Dialect.MYSQL || !Mentions.mayContain(statement.sql(), "load")) {
            return null;
        }
        String sql = statement.sql();
        // Text with a backslash is read under each sql_mode that changes what a backslash does (see MySqlKillRule).
        boolean escapes = sql.indexOf('\\') >= 0;
        if (loadsLocal(StatementSniffer.statements(sql, true))
                || escapes && loadsLocal(StatementSniffer.statements(sql, false))
                || escapes && sql.indexOf('"') >= 0 && loadsLocal(StatementSniffer.statements(sql, true, true))) {
            return new Decision.Deny(NAME, ErrorCode.NOT_ALLOWED, "LOAD DATA LOCAL INFILE is refused by Veil "
                    + "(rule " + NAME + "): it lets a server read files from the client machine. Load the file "
                    + "from the server side or use INSERT statements");
        }
        return null;
    }

    private static boolean loadsLocal(List<StatementSniffer.Statement> statements) {
        for (StatementSniffer.Statement st : statements) {
            if (st.startsWith("LOAD") && st.words().contains("LOCAL")) {
                return true;
            }
        }
        return false;
    }
}
