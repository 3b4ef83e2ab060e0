package dev.veil.conversation;

import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The contracts on the MySQL wire. A simple query is COM_QUERY. MySQL has no extended batch ending in a Sync;
 * the closest is what MariaDB Connector/J pipelines: COM_STMT_PREPARE then COM_STMT_EXECUTE of statement id -1
 * ("the one prepared last"), per statement, in one write. Each command is answered on its own, so nothing is
 * skipped up to a batch end: a refused prepare is answered with the refusal, the execution bound to it must not
 * run anything (the server never saw that prepare), and the next statement runs. The refusal comes from the
 * built-in rule against LOAD DATA LOCAL INFILE, which refuses prepares too.
 */
final class MySqlConversation implements Conversation {
    @Override
    public ScriptedUpstream upstream(Vertx vertx) {
        return new ScriptedMySqlServer(vertx);
    }

    @Override
    public WireClient login(InProcessVeil veil) throws Exception {
        return MySqlWireClient.login(veil.port(), InProcessVeil.USER, InProcessVeil.PASSWORD, InProcessVeil.DATABASE);
    }

    @Override
    public String protocol() {
        return "mysql";
    }

    @Override
    public String refusedStatement() {
        return "LOAD DATA LOCAL INFILE '/etc/passwd' INTO TABLE items";
    }

    @Override
    public String refusalRule() {
        return "builtin.mysql-local-infile";
    }

    @Override
    public String refusalCode() {
        return "1148";
    }

    @Override
    public List<String> resultFrames(int rows) {
        List<String> f = new ArrayList<>(List.of("ColumnCount 1", "ColumnDefinition", "EOF"));
        f.addAll(Collections.nCopies(rows, "Row"));
        f.add("EOF");
        return f;
    }

    @Override
    public List<String> refusalFrames() {
        return List.of("ERR 1148 42000");
    }

    /**
     * Prepare and execution of the first statement; the refused prepare; its execution, which the server would
     * answer with ER_UNKNOWN_STMT_HANDLER after a failed prepare; prepare and execution of the third.
     */
    @Override
    public List<String> batchWithRefusalFrames() {
        List<String> f = new ArrayList<>(List.of("PrepareOK"));
        f.addAll(resultFrames(1));
        f.add("ERR 1148 42000");
        f.add("ERR 1243 HY000");
        f.add("PrepareOK");
        f.addAll(resultFrames(1));
        return f;
    }

    @Override
    public List<String> batchWithRefusalRuns() {
        return List.of(ALLOWED, OTHER);
    }

    @Override
    public List<String> cutResultFrames(int rows, String code) {
        List<String> f = new ArrayList<>(List.of("ColumnCount 1", "ColumnDefinition", "EOF"));
        f.addAll(Collections.nCopies(rows, "Row"));
        f.addAll(sessionEndFrames(code));
        return f;
    }

    /** The SQLSTATE of the errors that end a session (2013 lost upstream, 1290 audit) is HY000. */
    @Override
    public List<String> sessionEndFrames(String code) {
        return List.of("ERR " + code + " HY000");
    }

    @Override
    public String upstreamLostCode() {
        return "2013";
    }

    @Override
    public String auditUnavailableCode() {
        return "1290";
    }

    @Override
    public boolean isReset(String received) {
        return received.equals("COM_RESET_CONNECTION");
    }

    @Override
    public String toString() {
        return "MySQL";
    }
}
