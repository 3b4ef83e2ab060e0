package dev.veil.frontend.mysql;

import dev.veil.rewrite.ResultColumn;
import dev.veil.rewrite.ResultColumn.Format;
import dev.veil.rewrite.ResultRewriter;
import dev.veil.rewrite.ResultRow;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which statements get the client's own view of its connection, and what changes in their rows: Ssl_* session
 * status of a plain client, CONNECTION_ID() under the labels the servers give it.
 */
class ClientViewTest {
    private static final long VEIL_ID = 7;
    private static final long SERVER_THREAD = 1234;
    private static final int VAR_STRING = 0xfd;
    private static final int LONG = 0x03;
    private static final int LONGLONG = 0x08;
    private final ClientView plain = ClientView.of(VEIL_ID, SERVER_THREAD, null);

    @Test
    void onlyStatementsThatCanShowTheLinkGetARewriter() {
        assertThat(plain.forStatement("SHOW STATUS LIKE 'Ssl_cipher'")).isNotNull();
        assertThat(plain.forStatement("show session status")).isNotNull();
        assertThat(plain.forStatement("SELECT * FROM information_schema.SESSION_STATUS")).isNotNull();
        assertThat(plain.forStatement("SELECT CONNECTION_ID()")).isNotNull();
        assertThat(plain.forStatement("SELECT status, count(*) FROM orders GROUP BY status")).as("the copy-free path").isNull();
        assertThat(plain.forStatement("SELECT 'connection_id()'")).as("only a mention in a string").isNull();
        assertThat(plain.forStatement("SELECT CONNECTION_ID() + 1")).as("an expression keeps the server's value").isNull();
        assertThat(plain.forStatement(null)).isNull();
    }

    @Test
    void connectionIdIsFoundUnderItsTextOrItsAlias() {
        assertThat(ClientView.connectionIdLabels("SELECT CONNECTION_ID()")).containsExactly("CONNECTION_ID()");
        assertThat(ClientView.connectionIdLabels("select connection_id( ) from dual")).containsExactly("connection_id( )");
        assertThat(ClientView.connectionIdLabels("SELECT CONNECTION_ID() AS cid, 1")).containsExactly("cid");
        assertThat(ClientView.connectionIdLabels("SELECT CONNECTION_ID() `my id`")).containsExactly("my id");
        assertThat(ClientView.connectionIdLabels("SELECT 1 FROM t WHERE id = CONNECTION_ID() + 0")).isEmpty();
    }

    @Test
    void aPlainClientsSslStatusIsEmptiedAndOtherVariablesAreLeftAlone() {
        ResultRewriter r = plain.forStatement("SHOW STATUS LIKE 'Ssl%'");
        r.columns(List.of(new ResultColumn("Variable_name", VAR_STRING, Format.TEXT), new ResultColumn("Value", VAR_STRING, Format.TEXT)));
        assertThat(r.row(row("Ssl_cipher", "TLS13-AES256-GCM-SHA384")).text(1)).isEmpty();
        assertThat(r.row(row("Ssl_version", "TLSv1.3")).text(1)).isEmpty();
        assertThat(r.row(row("Ssl_verify_depth", "9")).text(1)).isEqualTo("0");
        ResultRow counter = row("Ssl_accepts", "12");
        assertThat(r.row(counter)).as("a server-wide counter, untouched").isSameAs(counter);
    }

    @Test
    void aResultWithoutTheNameAndValueColumnsIsLeftAlone() {
        ResultRewriter r = plain.forStatement("SHOW TABLE STATUS");
        r.columns(List.of(new ResultColumn("Name", VAR_STRING, Format.TEXT), new ResultColumn("Engine", VAR_STRING, Format.TEXT)));
        ResultRow table = row("Ssl_cipher", "InnoDB");
        assertThat(r.row(table)).isSameAs(table);
    }

    @Test
    void theServersThreadIdBecomesVeilsConnectionIdInTextAndBinaryRows() {
        ResultRewriter text = plain.forStatement("SELECT CONNECTION_ID(), CONNECTION_ID() AS cid");
        text.columns(List.of(new ResultColumn("CONNECTION_ID()", LONG, Format.TEXT), new ResultColumn("cid", LONG, Format.TEXT)));
        ResultRow sent = text.row(row(Long.toString(SERVER_THREAD), Long.toString(SERVER_THREAD)));
        assertThat(sent.text(0)).isEqualTo("7");
        assertThat(sent.text(1)).isEqualTo("7");

        ResultRewriter binary = plain.forStatement("SELECT CONNECTION_ID() AS id, ? AS p");
        binary.columns(List.of(new ResultColumn("id", LONGLONG, Format.BINARY), new ResultColumn("p", LONGLONG, Format.BINARY)));
        ResultRow in = ResultRow.of(Buffer.buffer(8).appendLongLE(SERVER_THREAD), Buffer.buffer(8).appendLongLE(SERVER_THREAD));
        ResultRow out = binary.row(in);
        assertThat(out.value(0).getLongLE(0)).isEqualTo(VEIL_ID);
        assertThat(out.value(1).getLongLE(0)).as("another column with the same value").isEqualTo(SERVER_THREAD);
    }

    @Test
    void anotherValueUnderTheLabelIsNotChanged() {
        // A view or table column can carry the label too; only the session's own thread id is translated.
        ResultRewriter r = plain.forStatement("SELECT CONNECTION_ID() AS cid FROM t");
        r.columns(List.of(new ResultColumn("cid", LONG, Format.TEXT)));
        ResultRow other = row("99");
        assertThat(r.row(other)).isSameAs(other);
    }

    private static ResultRow row(String... values) {
        Buffer[] b = new Buffer[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = Buffer.buffer(values[i]);
        }
        return ResultRow.of(b);
    }
}
