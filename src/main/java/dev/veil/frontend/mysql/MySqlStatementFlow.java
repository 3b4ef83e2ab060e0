package dev.veil.frontend.mysql;

import dev.veil.analysis.Analysis;
import dev.veil.analysis.Dialect;
import dev.veil.audit.AuditEvent;
import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;
import dev.veil.frontend.MaskingRewriter;
import dev.veil.masking.MaskFunctions;
import dev.veil.policy.MaskingPlan;
import dev.veil.policy.RowCeiling;
import dev.veil.protocol.mysql.Command;
import dev.veil.rewrite.ResultRewriter;
import dev.veil.session.Statement;
import dev.veil.session.StatementPipeline;
import dev.veil.session.StatementRecord;
import dev.veil.session.Ticket;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * The statement side of the MySQL relay: protocol bookkeeping around the statement pipeline. COM_QUERY and
 * COM_STMT_EXECUTE go through the pipeline (prepared statements are analysed once, at COM_STMT_PREPARE, and
 * decided each time they run) before they go upstream; answers complete their records in order (rows, errno /
 * SQLSTATE). Commands without an answer (SEND_LONG_DATA, STMT_CLOSE) and session commands (PING, INIT_DB…)
 * pass without a record.
 */
final class MySqlStatementFlow {
    /** A statement prepared on the server: its text and its analysis. */
    private record Prepared(String sql, Analysis analysis) {
    }

    private final StatementPipeline pipeline;
    /** Chooses the rewriter of a statement's answer where it could show Veil's server link instead of the client's. */
    private final ClientView view;
    private final MaskFunctions masks;
    /** The masking of each prepared statement's last COM_STMT_EXECUTE: its COM_STMT_FETCHes reuse it. */
    private final Map<Long, MaskingRewriter> executed = new HashMap<>();
    private final Map<Long, Prepared> prepared = new HashMap<>();
    /** One entry per forwarded command that has an answer, in order: its record, or null when not recorded. */
    private final ArrayDeque<Owed> owed = new ArrayDeque<>();
    private Prepared lastPrepared;
    /** The latest COM_STMT_PREPARE was refused: an execution of statement -1 (MariaDB: the one prepared last) must not run. */
    private boolean lastPrepareRefused;
    private static final long LAST_PREPARED = 0xFFFFFFFFL;

    private record Owed(int command, StatementRecord ticket, String sql, Analysis analysis, ResultRewriter rewriter,
                        RowCeiling observed) {
    }

    MySqlStatementFlow(StatementPipeline pipeline, ClientView view, MaskFunctions masks) {
        this.pipeline = pipeline;
        this.view = view;
        this.masks = masks;
    }

    /** True when the command must be analysed and/or recorded before it is forwarded. */
    static boolean needsDecision(int command) {
        return command == Command.COM_QUERY || command == Command.COM_STMT_PREPARE || command == Command.COM_STMT_EXECUTE;
    }

    /**
     * Takes one command through the pipeline; completes with what to do: forward it with its record (none for
     * a prepare, which is recorded when it runs), or refuse it. Fails only when the audit trail cannot record it.
     */
    Future<Decided> decide(Buffer payload) {
        int command = payload.getUnsignedByte(0);
        switch (command) {
            case Command.COM_STMT_PREPARE -> {
                String sql = text(payload);
                return pipeline.analyse(sql).compose(a -> pipeline.decide(Statement.prepare(Dialect.MYSQL, null, sql), a))
                        .map(t -> Decided.of(t, sql))
                        .andThen(ar -> lastPrepareRefused = ar.failed() || ar.result().refusal() != null);
            }
            case Command.COM_STMT_EXECUTE -> {
                long id = payload.length() >= 5 ? payload.getUnsignedIntLE(1) : -1;
                if (id == LAST_PREPARED && lastPrepareRefused) {
                    // The server never saw the refused prepare: its "statement prepared last" is the one before it.
                    return pipeline.refuse(Statement.query(Dialect.MYSQL, "-- COM_STMT_EXECUTE of a refused prepare"),
                            VeilException.error(ErrorCode.UNKNOWN_STATEMENT, "Unknown prepared statement handler (" + id
                                    + ") given to mysqld_stmt_execute: Veil refused the statement prepared last; prepare an "
                                    + "allowed statement before executing it")).map(t -> Decided.of(t, null));
                }
                Prepared p = id == LAST_PREPARED ? lastPrepared : prepared.get(id);
                String sql = p == null ? "-- COM_STMT_EXECUTE of unknown statement " + id : p.sql();
                Statement st = Statement.execute(Dialect.MYSQL, Long.toString(id), sql, null);
                return pipeline.decide(st, p == null ? null : p.analysis()).map(t -> Decided.of(t, sql));
            }
            default -> {
                String sql = text(payload);
                return pipeline.submit(Statement.query(Dialect.MYSQL, sql)).map(t -> Decided.of(t, sql));
            }
        }
    }

    /**
     * The pipeline's answer for one command: forward it ({@code refusal} null) with its record, under an
     * affected-rows ceiling when {@code ceiling} is not null, or refuse it.
     */
    record Decided(StatementRecord ticket, String sql, Analysis analysis, VeilException refusal, RowCeiling ceiling,
                   MaskingPlan masking) {
        static Decided of(Ticket ticket, String sql) {
            if (ticket instanceof Ticket.Run run) {
                return new Decided(run.record(), sql, run.analysis(), null, run.ceiling(),
                        run.masking() == null ? MaskingPlan.NONE : run.masking());
            }
            return new Decided(null, sql, null, ((Ticket.Refuse) ticket).error(), null, MaskingPlan.NONE);
        }

        /** Whether it runs under an enforced ceiling (Veil counts its rows inside a savepoint). */
        boolean counted() {
            return ceiling != null && !ceiling.observe();
        }
    }

    /** A command the front end's admission refused: recorded with its rule, then answered with {@code error}. */
    Future<VeilException> refused(Buffer payload, VeilException error) {
        String what = payload.length() == 0 ? "-- empty command" : "-- " + Command.name(payload.getUnsignedByte(0));
        return pipeline.refuse(Statement.query(Dialect.MYSQL, what), error).map(t -> ((Ticket.Refuse) t).error());
    }

    /** The command ({@code payload}) went upstream; {@code answered}: the server will answer it. */
    void forwarded(int command, Buffer payload, Decided decided, boolean answered) {
        if (decided != null && decided.ticket() != null) {
            decided.ticket().forwarded();
        }
        if (command == Command.COM_STMT_PREPARE && decided != null && decided.refusal() == null) {
            // MariaDB's COM_STMT_EXECUTE of statement -1 runs the one prepared last, which a client pipelines right
            // behind its prepare: the execute is decided before the prepare's answer, so "last" is the last sent.
            lastPrepared = new Prepared(decided.sql(), decided.analysis());
        }
        if (answered) {
            String sql = decided == null ? null : decided.sql();
            boolean warnings = decided != null && !decided.masking().isEmpty() && WarningMessages.reads(decided.analysis());
            ResultRewriter rewriter = warnings ? new WarningMessages() : masking(command, payload, decided);
            if (rewriter == null && view != null) {
                rewriter = view.forStatement(sql);
            }
            owed.addLast(new Owed(command, decided == null ? null : decided.ticket(), sql,
                    decided == null ? null : decided.analysis(), rewriter, decided == null ? null : decided.ceiling()));
        }
    }

    /**
     * The masking of the command's answer, null when it has none. Any masked decision gets one (its errors are
     * scrubbed even when no column of it is masked); a COM_STMT_FETCH reads on the result of its statement's last
     * COM_STMT_EXECUTE, with that execute's masking.
     */
    private MaskingRewriter masking(int command, Buffer payload, Decided decided) {
        long id = payload != null && payload.length() >= 5 ? payload.getUnsignedIntLE(1) : -1;
        if (command == Command.COM_STMT_FETCH) {
            return executed.get(id);
        }
        if (decided == null || decided.masking().isEmpty() || command == Command.COM_STMT_PREPARE) {
            // A prepare's answer holds no rows (its definitions describe, its errors quote the client's own text).
            if (command == Command.COM_STMT_EXECUTE) {
                executed.remove(id);
            }
            return null;
        }
        MaskingRewriter rewriter = new MaskingRewriter(decided.masking(), masks, Dialect.MYSQL);
        if (command == Command.COM_STMT_EXECUTE) {
            executed.put(id, rewriter);
        }
        return rewriter;
    }

    /** The rewriter of the answer being read (the oldest owed), null when it has none of its own. */
    ResultRewriter answerRewriter() {
        Owed o = owed.peekFirst();
        return o == null ? null : o.rewriter();
    }

    /** A client command that changes the current schema (COM_INIT_DB payload). */
    void schemaSelected(String schema) {
        pipeline.database(schema);
    }

    /** COM_STMT_CLOSE: the server forgets the statement, so does Veil. */
    void closed(Buffer payload) {
        if (payload.length() >= 5) {
            prepared.remove(payload.getUnsignedIntLE(1));
            executed.remove(payload.getUnsignedIntLE(1));
        }
    }

    /**
     * The server finished answering the oldest owed command; {@code inTransaction}: its status flags say a
     * transaction is open (DDL commits implicitly, so after DDL it is normally clear).
     */
    void completed(boolean error, long rows, long preparedId, int errno, String sqlState, boolean inTransaction) {
        Owed o = owed.pollFirst();
        if (o == null) {
            return;
        }
        if (o.command() == Command.COM_STMT_PREPARE && !error && o.sql() != null) {
            prepared.put(preparedId, new Prepared(o.sql(), o.analysis()));
        }
        if (o.ticket() != null) {
            if (error) {
                o.ticket().completed(AuditEvent.Outcome.ERROR, null, null, sqlState, errno);
            } else {
                // An observed ceiling compares the server's affected rows (changed rows, unless CLIENT_FOUND_ROWS).
                o.ticket().completed(AuditEvent.Outcome.OK, null, rows, null, null, o.observed(), null);
            }
        }
        if (!inTransaction) {
            pipeline.transactionIdle();
        }
    }

    /** The session's transaction is over (after a statement Veil ran under an affected-rows ceiling in autocommit). */
    void transactionIdle() {
        pipeline.transactionIdle();
    }

    /** The session ends: statements still owed an answer were interrupted. */
    void end(String reason) {
        for (Owed o : owed) {
            if (o.ticket() != null) {
                o.ticket().completed(AuditEvent.Outcome.INTERRUPTED, null, null, null);
            }
        }
        owed.clear();
        pipeline.ended(reason);
    }

    private static String text(Buffer payload) {
        return payload.getString(1, payload.length(), StandardCharsets.UTF_8.name());
    }
}
