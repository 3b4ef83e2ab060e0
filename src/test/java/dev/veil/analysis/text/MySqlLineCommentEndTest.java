package dev.veil.analysis.text;

import org.junit.jupiter.api.Tag;
import dev.veil.analysis.Dialect;
import dev.veil.testing.EveryMariaDbServer;
import dev.veil.testing.MariaDbServer;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where a MySQL line comment ends, asked of the real servers: the tokenizer must hide exactly what they hide.
 * A carriage return alone does not end it there (PostgreSQL's does), so the text after it on the line is comment.
 */
@Tag("servers")
class MySqlLineCommentEndTest {
    private static final SqlTokenizer MY = SqlTokenizer.forDialect(Dialect.MYSQL);

    @EveryMariaDbServer
    void aCarriageReturnDoesNotEndALineComment(MariaDbServer server) throws SQLException {
        for (String sql : new String[]{"SELECT 1 # note\r, 2\n, 3", "SELECT 1 -- note\r, 2\n, 3"}) {
            assertThat(columnsAtTheServer(server, sql)).as(sql).isEqualTo(2);
            assertThat(columnsOfTheTokens(sql)).as(sql).isEqualTo(2);
        }
    }

    private static int columnsAtTheServer(MariaDbServer server, String sql) throws SQLException {
        try (Connection c = server.connectAsRoot(MariaDbServer.DATABASE); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            return rs.getMetaData().getColumnCount();
        }
    }

    private static int columnsOfTheTokens(String sql) {
        return 1 + (int) MY.tokenize(sql).code().stream().filter(t -> t.isPunct(',')).count();
    }
}
