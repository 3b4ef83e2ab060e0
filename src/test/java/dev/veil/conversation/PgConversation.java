package dev.veil.conversation;

import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The contracts on the PostgreSQL wire. A simple query is a Query message; the extended batch is Parse, Bind,
 * Execute per statement and one Sync (the unnamed statement and portal, as drivers send them), and when an
 * Execute is refused, everything up to the Sync is skipped as the server itself does after an error: the
 * refusal arrives just before that Sync's ReadyForQuery. PostgreSQL has no built-in rule that refuses a
 * statement, so the refusal comes from the kit's test rule.
 */
final class PgConversation implements Conversation {
    @Override
    public ScriptedUpstream upstream(Vertx vertx) {
        return new ScriptedPgServer(vertx);
    }

    @Override
    public WireClient login(InProcessVeil veil) throws Exception {
        return PgWireClient.login(veil.port(), InProcessVeil.USER, InProcessVeil.PASSWORD, InProcessVeil.DATABASE);
    }

    @Override
    public String protocol() {
        return "postgresql";
    }

    @Override
    public String refusedStatement() {
        return "SELECT v FROM items WHERE v = '" + InProcessVeil.REFUSE_MARKER + "'";
    }

    @Override
    public String refusalRule() {
        return InProcessVeil.REFUSE_RULE;
    }

    @Override
    public String refusalCode() {
        return "42501";
    }

    @Override
    public List<String> resultFrames(int rows) {
        List<String> f = new ArrayList<>(List.of("RowDescription"));
        f.addAll(rows(rows));
        f.add("CommandComplete SELECT " + rows);
        f.add("ReadyForQuery I");
        return f;
    }

    @Override
    public List<String> refusalFrames() {
        return List.of("ErrorResponse ERROR 42501", "ReadyForQuery I");
    }

    /**
     * The first statement runs (Execute sends no RowDescription), the refused one was parsed and bound by the
     * server (Veil decides at Execute), the third is skipped with everything else up to the Sync.
     */
    @Override
    public List<String> batchWithRefusalFrames() {
        return List.of("ParseComplete", "BindComplete", "DataRow", "CommandComplete SELECT 1",
                "ParseComplete", "BindComplete", "ErrorResponse ERROR 42501", "ReadyForQuery I");
    }

    @Override
    public List<String> batchWithRefusalRuns() {
        return List.of(ALLOWED);
    }

    @Override
    public List<String> cutResultFrames(int rows, String code) {
        List<String> f = new ArrayList<>(List.of("RowDescription"));
        f.addAll(rows(rows));
        f.addAll(sessionEndFrames(code));
        return f;
    }

    @Override
    public List<String> sessionEndFrames(String code) {
        return List.of("ErrorResponse FATAL " + code);
    }

    @Override
    public String upstreamLostCode() {
        return "08006";
    }

    @Override
    public String auditUnavailableCode() {
        return "53000";
    }

    @Override
    public boolean isReset(String received) {
        return received.equals("Query DISCARD ALL");
    }

    private static List<String> rows(int n) {
        return Collections.nCopies(n, "DataRow");
    }

    @Override
    public String toString() {
        return "PostgreSQL";
    }
}
