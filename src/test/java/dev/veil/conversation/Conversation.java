package dev.veil.conversation;

import io.vertx.core.Vertx;

import java.util.List;

/**
 * One dialect's side of the conversation contracts: how each thing a contract says is expressed on its wire,
 * and what the client reads back for it. The contracts are written once against this; {@link PgConversation}
 * and {@link MySqlConversation} map them onto the two protocols (each says how, where the mapping is not obvious).
 *
 * <p>Every contract uses the same statements: {@link #ALLOWED} and {@link #OTHER} are answered by the scripted
 * upstream with one row each ({@code "first"}, {@code "third"}), {@link #refusedStatement()} is refused by a rule.
 */
interface Conversation {
    String ALLOWED = "SELECT v FROM items WHERE v = 'first'";
    String OTHER = "SELECT v FROM items WHERE v = 'third'";

    /** A scripted upstream of this dialect (not started). */
    ScriptedUpstream upstream(Vertx vertx);

    /** A client logged in to Veil as its local account. */
    WireClient login(InProcessVeil veil) throws Exception;

    /** The protocol's name in the audit trail. */
    String protocol();

    /** A statement a policy rule refuses; built-in where the dialect has such a rule. */
    String refusedStatement();

    String refusalRule();

    /** The code the client gets for that refusal: SQLSTATE, or MySQL errno. */
    String refusalCode();

    /** The frames answering a simple query whose result has {@code rows} rows. */
    List<String> resultFrames(int rows);

    /** The frames answering a simple query that is refused. */
    List<String> refusalFrames();

    /** The frames answering the batch [{@link #ALLOWED}, refused, {@link #OTHER}] sent in one write. */
    List<String> batchWithRefusalFrames();

    /** What the upstream runs of the batch [{@link #ALLOWED}, refused, {@link #OTHER}]. */
    List<String> batchWithRefusalRuns();

    /** The frames a client reads when its session ends with error {@code code} after {@code rows} rows of a result. */
    List<String> cutResultFrames(int rows, String code);

    /** The frames a client reads when Veil ends its session with error {@code code} between answers. */
    List<String> sessionEndFrames(String code);

    /** The code of the session-ending error after the upstream connection was lost. */
    String upstreamLostCode();

    /** The code of the session-ending error when an answer is withheld because its record cannot be made durable. */
    String auditUnavailableCode();

    /** True for what the upstream receives when Veil resets a server connection for reuse. */
    boolean isReset(String received);
}
