package dev.veil.conversation;

import dev.veil.protocol.mysql.Command;
import dev.veil.protocol.mysql.PayloadWriter;
import io.vertx.core.buffer.Buffer;

import java.util.List;

/**
 * MySQL payloads Veil's own code never encodes (it relays them), written here for both ends of a scripted
 * conversation: the client's commands and the server's result sets (dev.mysql.com "Text Resultset",
 * "Binary Protocol Resultset", "COM_STMT_PREPARE Response"). Results are of one VAR_STRING column.
 */
final class MySqlMessages {
    /** utf8mb4_general_ci. */
    static final int CHARSET = 45;
    private static final int VAR_STRING = 0xfd;
    /** The statement id a client sends to execute the statement it prepared last (MariaDB pipelining). */
    static final long LAST_PREPARED = 0xFFFFFFFFL;

    private MySqlMessages() {
    }

    // ---- client to server ------------------------------------------------------------------------------

    static Buffer query(String sql) {
        return new PayloadWriter().int1(Command.COM_QUERY).string(sql).payload();
    }

    static Buffer prepare(String sql) {
        return new PayloadWriter().int1(Command.COM_STMT_PREPARE).string(sql).payload();
    }

    /** COM_STMT_EXECUTE without a cursor and without parameters. */
    static Buffer execute(long statementId) {
        return new PayloadWriter().int1(Command.COM_STMT_EXECUTE).int4(statementId).int1(0).int4(1).payload();
    }

    // ---- server to client ------------------------------------------------------------------------------

    static Buffer columnCount(int n) {
        return new PayloadWriter().lenenc(n).payload();
    }

    /** ColumnDefinition41 of a VAR_STRING column of table {@code items}. */
    static Buffer columnDefinition(String schema, String name) {
        return new PayloadWriter().lenencString("def").lenencString(schema).lenencString("items").lenencString("items")
                .lenencString(name).lenencString(name).lenenc(0x0c).int2(CHARSET).int4(1020).int1(VAR_STRING)
                .int2(0).int1(0).int2(0).payload();
    }

    /** A binary-protocol row of text values: header 0x00, the NULL bitmap (offset 2), the values. */
    static Buffer binaryRow(List<String> values) {
        PayloadWriter w = new PayloadWriter().int1(0).zeros((values.size() + 7 + 2) / 8);
        values.forEach(w::lenencString);
        return w.payload();
    }

    /** COM_STMT_PREPARE_OK announcing no columns and no parameters. */
    static Buffer prepareOk(long statementId) {
        return new PayloadWriter().int1(0).int4(statementId).int2(0).int2(0).int1(0).int2(0).payload();
    }
}
