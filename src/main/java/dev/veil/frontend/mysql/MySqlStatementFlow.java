package dev.veil.frontend.mysql;

import dev.veil.analysis.Analysis;
import dev.veil.analysis.NameResolution;
import dev.veil.analysis.text.LexicalSettings;
import dev.veil.audit.AuditEvent;
import dev.veil.frontend.mysql.packet.Command;
import dev.veil.session.SessionAudit;
import dev.veil.session.StatementAnalysis;
import dev.veil.session.StatementTicket;
import dev.veil.upstream.UpstreamSettings;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * The statement side of the MySQL relay: analysis, then record before run. COM_QUERY and COM_STMT_EXECUTE are
 * analysed (prepared statements once, at COM_STMT_PREPARE) and their decision recorded before they go
 * upstream; answers complete their records in order (rows, errno / SQLSTATE). Commands without an answer
 * (SEND_LONG_DATA, STMT_CLOSE) and session commands (PING, INIT_DB…) pass without a record.
 */
final class MySqlStatementFlow {
    /** A statement prepared on the server: its text and its analysis. */
    private record Prepared(String sql, Analysis analysis) {
    }

    private final StatementAnalysis analysis;
    private final SessionAudit audit;
    private final UpstreamSettings upstream;
    private final LexicalSettings lexical = LexicalSettings.defaults(dev.veil.analysis.Dialect.MYSQL);
    private final Map<Long, Prepared> prepared = new HashMap<>();
    /** One entry per forwarded command that has an answer, in order: its ticket, or null when not recorded. */
    private final ArrayDeque<Owed> owed = new ArrayDeque<>();
    private String database;
    private Prepared lastPrepared;

    private record Owed(int command, StatementTicket ticket, String sql, Analysis analysis) {
    }

    MySqlStatementFlow(StatementAnalysis analysis, SessionAudit audit, UpstreamSettings upstream, String database) {
        this.analysis = analysis;
        this.audit = audit;
        this.upstream = upstream;
        this.database = database;
    }

    /** True when the command must be analysed and/or recorded before it is forwarded. */
    static boolean needsDecision(int command) {
        return command == Command.COM_QUERY || command == Command.COM_STMT_PREPARE || command == Command.COM_STMT_EXECUTE;
    }

    /**
     * Analyses and records one command; completes with the ticket to forward it with (null for a prepare,
     * which is analysed but not recorded), or fails with the refusal the client must get.
     */
    Future<Decided> decide(Buffer payload) {
        int command = payload.getUnsignedByte(0);
        switch (command) {
            case Command.COM_STMT_PREPARE -> {
                String sql = text(payload);
                return analyse(sql).map(a -> new Decided(null, sql, a));
            }
            case Command.COM_STMT_EXECUTE -> {
                long id = payload.length() >= 5 ? payload.getUnsignedIntLE(1) : -1;
                Prepared p = id == 0xFFFFFFFFL ? lastPrepared : prepared.get(id);
                String sql = p == null ? "-- COM_STMT_EXECUTE of unknown statement " + id : p.sql();
                AuditEvent.Analysis summary = p == null ? AuditEvent.Analysis.notAnalysed() : analysis.summary(p.analysis());
                return audit.decided(sql, null, summary, AuditEvent.Decision.allowWithoutPolicy())
                        .map(t -> new Decided(t, sql, p == null ? null : p.analysis()));
            }
            default -> {
                String sql = text(payload);
                return analyse(sql).compose(a -> audit.decided(sql, null, analysis.summary(a),
                        AuditEvent.Decision.allowWithoutPolicy()).map(t -> new Decided(t, sql, a)));
            }
        }
    }

    record Decided(StatementTicket ticket, String sql, Analysis analysis) {
    }

    private Future<Analysis> analyse(String sql) {
        return audit.catalogSettled()
                .compose(v -> analysis.analyze(upstream, database, lexical, NameResolution.mysql(database), sql));
    }

    /** The command went upstream; {@code answered}: the server will answer it. */
    void forwarded(int command, Decided decided, boolean answered) {
        if (decided != null && decided.ticket() != null) {
            decided.ticket().forwarded();
        }
        if (answered) {
            owed.addLast(new Owed(command, decided == null ? null : decided.ticket(),
                    decided == null ? null : decided.sql(), decided == null ? null : decided.analysis()));
        }
    }

    /** A client command that changes the current schema (COM_INIT_DB payload). */
    void schemaSelected(String schema) {
        database = schema;
    }

    /** COM_STMT_CLOSE: the server forgets the statement, so does Veil. */
    void closed(Buffer payload) {
        if (payload.length() >= 5) {
            prepared.remove(payload.getUnsignedIntLE(1));
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
            Prepared p = new Prepared(o.sql(), o.analysis());
            prepared.put(preparedId, p);
            lastPrepared = p;
        }
        if (o.ticket() != null) {
            if (error) {
                o.ticket().completed(AuditEvent.Outcome.ERROR, null, null, sqlState, errno);
            } else {
                o.ticket().completed(AuditEvent.Outcome.OK, null, rows, null);
            }
        }
        if (!inTransaction) {
            audit.transactionIdle();
        }
    }

    /** The session ends: statements still owed an answer were interrupted. */
    void end(String reason) {
        for (Owed o : owed) {
            if (o.ticket() != null) {
                o.ticket().completed(AuditEvent.Outcome.INTERRUPTED, null, null, null);
            }
        }
        owed.clear();
        audit.ended(reason);
    }

    private static String text(Buffer payload) {
        return payload.getString(1, payload.length(), StandardCharsets.UTF_8.name());
    }
}
