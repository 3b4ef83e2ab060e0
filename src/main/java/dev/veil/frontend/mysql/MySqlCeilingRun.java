package dev.veil.frontend.mysql;

import dev.veil.audit.AuditEvent;
import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;
import dev.veil.frontend.ClientOutput;
import dev.veil.frontend.MaskedErrors;
import dev.veil.policy.RowCeiling;
import dev.veil.protocol.mysql.Capabilities;
import dev.veil.protocol.mysql.ErrPacket;
import dev.veil.protocol.mysql.OkPacket;
import dev.veil.protocol.mysql.Packets;
import dev.veil.protocol.mysql.PayloadReader;
import dev.veil.protocol.mysql.ResponseTracker;
import dev.veil.protocol.mysql.ServerStatus;
import dev.veil.session.StatementRecord;
import dev.veil.upstream.MySqlServerConnection;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One COM_QUERY or COM_STMT_EXECUTE run under an enforced affected-rows ceiling ({@link RowCeiling}). The
 * server connection is taken back from the session's relay for it: Veil runs SAVEPOINT (inside the client's
 * transaction) or START TRANSACTION (in autocommit), then the client's command, whose answer it reads instead
 * of relaying, then RELEASE SAVEPOINT / COMMIT when the rows are within the ceiling, or ROLLBACK TO SAVEPOINT /
 * ROLLBACK when over. The client gets the server's OK (status flags as they are after Veil's own command), or
 * the server's ERR, or ERR 1142 naming the guardrail, the count and the ceiling.
 *
 * <p>The count is the OK's affected rows, or, when the OK's info says more rows matched ("Rows matched: 5
 * Changed: 2", the client without CLIENT_FOUND_ROWS), the rows matched: an UPDATE that leaves a value as it was
 * still reached the row. An answer with rows (MariaDB's DELETE … RETURNING) is not counted here: rolled back and
 * refused.
 *
 * <p>Under a masking rule ({@code scrub}) the server's messages it passes on, in its own ERR or inside Veil's
 * refusal, lose their quoted parts as the relay's do ({@link MaskedErrors#scrubMySql}): this run writes them
 * itself, past the relay.
 */
final class MySqlCeilingRun {
    private static final String SAVEPOINT = "veil_rows_ceiling";
    private static final Pattern MATCHED = Pattern.compile("Rows matched: (\\d+)");

    /** What the run needs from the client connection. */
    interface Client {
        /** Gives the server connection back to the session's relay. */
        void relayAgain();

        boolean live();

        /** The error funnel (a refusal: never fatal). */
        void fail(VeilException e, int sequenceId);
    }

    private final MySqlServerConnection server;
    private final Client client;
    private final ClientOutput out;
    private final int clientCaps;
    private final RowCeiling ceiling;
    private final StatementRecord record;
    private final int replySeq;
    /** The statement's own names, kept in scrubbed messages; null: nothing is scrubbed (no masking rule). */
    private final Set<String> scrub;
    private boolean autocommit;

    MySqlCeilingRun(MySqlServerConnection server, Client client, ClientOutput out, int clientCaps, RowCeiling ceiling,
                    StatementRecord record, int replySeq, Set<String> scrub) {
        this.server = server;
        this.client = client;
        this.out = out;
        this.clientCaps = clientCaps;
        this.ceiling = ceiling;
        this.record = record;
        this.replySeq = replySeq;
        this.scrub = scrub;
    }

    /** A server message as the client may see it. */
    private String shown(String message) {
        return scrub != null && message != null ? MaskedErrors.scrubMySql(message, scrub) : message;
    }

    private Buffer shown(ErrPacket err) {
        ErrPacket sent = scrub != null ? new ErrPacket(err.errorCode(), err.sqlState(), shown(err.message())) : err;
        return Packets.frame(replySeq, sent.encode());
    }

    /** Runs the command (the server must owe no answer); completes once the client has its answer. */
    Future<Void> run(Buffer payload, ResponseTracker.Shape shape) {
        // With autocommit off (SET autocommit = 0), the statement opens the client's transaction: a savepoint then
        // (it opens that transaction), never Veil's COMMIT.
        autocommit = !server.inTransaction() && (server.tracker().statusFlags() & ServerStatus.AUTOCOMMIT) != 0;
        server.detach();
        return server.query(autocommit ? "START TRANSACTION" : "SAVEPOINT " + SAVEPOINT).compose(opened -> {
            if (opened.error() != null) {
                refuse(null, "the server refused to open a savepoint for it: " + shown(opened.error().message()), null);
                return Future.succeededFuture();
            }
            if (record != null) {
                record.forwarded();
            }
            return server.runForClient(payload, shape).compose(this::answered);
        }).eventually(() -> {
            if (!server.isClosed()) {
                client.relayAgain();
            }
            return Future.succeededFuture();
        }).mapEmpty();
    }

    private Future<Void> answered(MySqlServerConnection.InternalResult r) {
        if (r.error() != null) {
            // The server rolled the statement back itself; in autocommit Veil's transaction ends with it.
            ErrPacket err = r.error();
            return server.query(autocommit ? "ROLLBACK" : "RELEASE SAVEPOINT " + SAVEPOINT).map(closed -> {
                if (record != null) {
                    record.completed(AuditEvent.Outcome.ERROR, null, null, err.sqlState(), err.errorCode());
                }
                out.write(shown(err));
                return null;
            });
        }
        Buffer first = r.firstPacket();
        if (first == null || first.length() == 0 || first.getUnsignedByte(0) != OkPacket.HEADER) {
            return undo(null, "it returns rows (RETURNING), whose count Veil does not read on this wire; run it without "
                    + "RETURNING");
        }
        OkPacket ok = OkPacket.decode(first, 0, first.length());
        String info = info(first);
        long rows = Math.max(ok.affectedRows(), matched(info));
        if (ceiling.over(rows)) {
            return undo(rows, null);
        }
        return server.query(autocommit ? "COMMIT" : "RELEASE SAVEPOINT " + SAVEPOINT).map(kept -> {
            if (kept.error() != null) {
                if (record != null) {
                    record.completed(AuditEvent.Outcome.ERROR, null, rows, kept.error().sqlState(), kept.error().errorCode(),
                            ceiling, null);
                }
                out.write(shown(kept.error()));
                return null;
            }
            if (record != null) {
                record.completed(AuditEvent.Outcome.OK, null, rows, null, null, ceiling, null);
            }
            OkPacket answer = new OkPacket(ok.affectedRows(), ok.lastInsertId(), server.tracker().statusFlags(), ok.warnings(), info);
            out.write(Packets.frame(replySeq, answer.encode(Capabilities.has(clientCaps, Capabilities.SESSION_TRACK))));
            return null;
        });
    }

    /** Rolls the statement back and refuses it: over the ceiling ({@code rows}), or not counted ({@code uncounted}). */
    private Future<Void> undo(Long rows, String uncounted) {
        String sql = autocommit ? "ROLLBACK" : "ROLLBACK TO SAVEPOINT " + SAVEPOINT;
        return server.query(sql).compose(r -> autocommit ? Future.succeededFuture(r) : server.query("RELEASE SAVEPOINT " + SAVEPOINT))
                .map(r -> {
                    refuse(rows, uncounted, r.error() == null ? null : shown(r.error().message()));
                    return null;
                });
    }

    private void refuse(Long rows, String uncounted, String undoFailed) {
        String message = rows != null ? ceiling.refusal(rows) : ceiling.uncounted(uncounted);
        if (undoFailed != null) {
            message += " (rolling it back failed: " + undoFailed + ")";
        }
        if (record != null) {
            record.completed(AuditEvent.Outcome.REFUSED, null, rows, ErrorCode.POLICY_DENIED.mysqlSqlState(),
                    ErrorCode.POLICY_DENIED.mysqlErrno(), ceiling, uncounted);
        }
        if (client.live()) {
            client.fail(VeilException.error(ErrorCode.POLICY_DENIED, message), replySeq);
        }
    }

    /** The OK's human-readable info ("Rows matched: 1  Changed: 1  Warnings: 0"), "" when it has none. */
    private String info(Buffer ok) {
        PayloadReader r = new PayloadReader(ok, 0, ok.length());
        r.int1();
        r.lenenc();
        r.lenenc();
        if (r.remaining() < 4) {
            return "";
        }
        r.int2();
        r.int2();
        if (r.remaining() == 0) {
            return "";
        }
        return Capabilities.has(server.capabilities(), Capabilities.SESSION_TRACK) ? r.lenencString() : r.restString();
    }

    private static long matched(String info) {
        Matcher m = MATCHED.matcher(info);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }
}
