package dev.veil.frontend.pg;

import dev.veil.analysis.Dialect;
import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;
import dev.veil.frontend.MaskingRewriter;
import dev.veil.masking.MaskFunctions;
import dev.veil.policy.MaskingPlan;
import dev.veil.protocol.pg.PgFrame;
import dev.veil.rewrite.ResultRewriter;
import dev.veil.rewrite.ResultRow;
import io.vertx.core.buffer.Buffer;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PostgreSQL session's masking: the {@link PgResultMask} each statement's answer goes through, made from its
 * ticket's {@link MaskingPlan}, with what the extended protocol and cursors need to apply it later: the columns
 * of statements and portals ({@link PgResultColumns}) and the plan of each cursor the session declared (a
 * FETCH's plan names the cursor: its DECLARE's plan applies; a non-holdable cursor ends with its transaction,
 * CLOSE ends any). The statement flow asks for a mask per Query and per Execute and keeps it with that
 * statement's place in the answer order, so a statement's plan never applies to another's result.
 */
final class PgSessionMasking {
    private static final Pattern DECLARE = Pattern.compile(
            "(?is)^\\s*DECLARE\\s+(\"(?:[^\"]|\"\")+\"|[\\p{L}_][\\p{L}\\p{N}_$]*)\\s+(.*?)\\bCURSOR\\b(.*)");
    private static final Pattern CLOSE = Pattern.compile(
            "(?is)^\\s*CLOSE\\s+(\"(?:[^\"]|\"\")+\"|[\\p{L}_][\\p{L}\\p{N}_$]*)\\s*;?\\s*$");

    private record Cursor(MaskingPlan plan, boolean holdable) {
    }

    private final MaskFunctions functions;
    private final PgResultColumns columns = new PgResultColumns();
    private final Map<String, Cursor> cursors = new HashMap<>();

    PgSessionMasking(MaskFunctions functions) {
        this.functions = functions;
    }

    PgResultColumns columns() {
        return columns;
    }

    /** The mask of a simple query's answer (null: nothing to do); {@code sql}: its text. */
    PgResultMask forQuery(MaskingPlan plan, String sql) {
        if (plan.isEmpty()) {
            closing(sql);
            return null;
        }
        ResultRewriter rewriter = rewriter(plan, sql);
        PgCopyStatement copy = rewriter == ResultRewriter.NONE || !mentionsCopy(sql) ? null : PgCopyStatement.parse(sql);
        return new PgResultMask(rewriter, true, null, copy == null ? null : new PgCopyMask(copy, rewriter))
                .keeping(plan.identifiers());
    }

    /** A cheap test before the copy statement is read: most masked queries are not one. */
    private static boolean mentionsCopy(String sql) {
        if (sql == null) {
            return false;
        }
        for (int i = 0; i + 4 <= sql.length(); i++) {
            if (sql.regionMatches(true, i, "copy", 0, 4)) {
                return true;
            }
        }
        return false;
    }

    /** The mask of an Execute's answer (null: nothing to do): rows come with the portal's columns. */
    PgResultMask forExecute(MaskingPlan plan, String sql, PgResultColumns.Portal portal) {
        if (plan.isEmpty()) {
            closing(sql);
            return null;
        }
        return new PgResultMask(rewriter(plan, sql), true, portal == null ? () -> null : portal::columns)
                .keeping(plan.identifiers());
    }

    /**
     * The rewriter of a statement's results; a DECLARE keeps its plan for the FETCHes of its cursor, a FETCH /
     * MOVE uses the plan of the cursor it names (none known: the result is refused).
     */
    private ResultRewriter rewriter(MaskingPlan plan, String sql) {
        Matcher declare = sql == null ? null : DECLARE.matcher(sql);
        if (declare != null && declare.matches()) {
            boolean holdable = declare.group(3).toUpperCase(Locale.ROOT).replaceAll("\\s+", " ").contains("WITH HOLD");
            cursors.put(name(declare.group(1)), new Cursor(plan, holdable));
            return ResultRewriter.NONE; // DECLARE returns no rows
        }
        closing(sql);
        if (plan.cursor() == null) {
            return MaskingRewriter.of(plan, functions, Dialect.POSTGRESQL);
        }
        Cursor cursor = cursors.get(name(plan.cursor()));
        if (cursor == null) {
            return unknownCursor(plan.cursor());
        }
        return MaskingRewriter.of(cursor.plan(), functions, Dialect.POSTGRESQL);
    }

    /** A CLOSE of a cursor forgets its plan (CLOSE ALL all of them). */
    private void closing(String sql) {
        if (sql == null || cursors.isEmpty()) {
            return;
        }
        Matcher close = CLOSE.matcher(sql);
        if (close.matches()) {
            String name = name(close.group(1));
            if ("all".equals(name)) {
                cursors.clear();
            } else {
                cursors.remove(name);
            }
        }
    }

    /** The transaction ended: cursors declared without WITH HOLD are gone. */
    void transactionIdle() {
        if (cursors.isEmpty()) {
            return;
        }
        for (Iterator<Cursor> it = cursors.values().iterator(); it.hasNext(); ) {
            if (!it.next().holdable()) {
                it.remove();
            }
        }
    }

    /** What the frame becomes: the answer of a Describe is kept for later Executes, the rest goes to {@code mask}. */
    Buffer rewrite(PgFrame frame, PgResultMask mask, boolean simpleQuery) {
        char t = frame.typeChar();
        if ((t == 'T' || t == 'n') && !simpleQuery && columns.awaitingDescribe()) {
            columns.described(frame);
            return null;
        }
        if (t == 'Z' || (t == 'E' && !simpleQuery)) {
            columns.batchEnded();
        }
        return mask == null ? null : mask.rewrite(frame);
    }

    private static String name(String identifier) {
        if (identifier.startsWith("\"")) {
            return identifier.substring(1, identifier.length() - 1).replace("\"\"", "\"");
        }
        return identifier.toLowerCase(Locale.ROOT);
    }

    private static ResultRewriter unknownCursor(String cursor) {
        VeilException refusal = VeilException.error(ErrorCode.POLICY_DENIED, "masking: cursor \"" + cursor
                + "\" was not declared through this session's Veil connection (or is closed), so Veil does not know how"
                + " to mask its rows; the result is withheld (fail closed). DECLARE the cursor in this session");
        return new ResultRewriter() {
            @Override
            public ResultRow row(ResultRow row) {
                return null;
            }

            @Override
            public VeilException refusal() {
                return refusal;
            }
        };
    }
}
