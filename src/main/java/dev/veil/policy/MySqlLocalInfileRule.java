package dev.veil.policy;

import dev.veil.analysis.Dialect;
import dev.veil.analysis.text.StatementSniffer;
import dev.veil.error.ErrorCode;

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
        for (boolean backslashEscapes : new boolean[] {true, false}) {
            for (StatementSniffer.Statement st : StatementSniffer.statements(statement.sql(), backslashEscapes)) {
                if (st.startsWith("LOAD") && st.words().contains("LOCAL")) {
                    return new Decision.Deny(NAME, ErrorCode.NOT_ALLOWED, "LOAD DATA LOCAL INFILE is refused by Veil "
                            + "(rule " + NAME + "): it lets a server read files from the client machine. Load the file "
                            + "from the server side or use INSERT statements");
                }
            }
            if (statement.sql().indexOf('\\') < 0) {
                break; // both readings are the same
            }
        }
        return null;
    }
}
