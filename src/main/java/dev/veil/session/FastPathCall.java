package dev.veil.session;

import dev.veil.analysis.Analysis;
import dev.veil.analysis.StatementKind;
import dev.veil.analysis.catalog.RoutineInfo;
import dev.veil.analysis.text.DangerOrder;

import java.util.List;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * A call of a server function by its id, without SQL: PostgreSQL's fast-path FunctionCall message, which libpq's
 * and pgjdbc's large-object APIs use and which can call any function ({@code pg_read_file} by oid, say). The
 * pipeline treats it as the statement it amounts to, {@code SELECT schema.function($1, …)}: analysed as such,
 * recorded with the function's name, oid and a digest of its arguments, and never less dangerous than the
 * function may be (a VOLATILE function may change anything: at least WRITE; an oid the catalog does not list:
 * UNKNOWN).
 *
 * @param arguments the arguments rendered as text (binary ones as {@code \x…} hex; null for SQL NULL)
 */
public record FastPathCall(long oid, List<String> arguments) {
    /** The statement a call amounts to, for analysis (no literals: the same text for every call of a function). */
    String sql(Optional<RoutineInfo> routine) {
        StringJoiner params = new StringJoiner(", ", "(", ")");
        for (int i = 1; i <= arguments.size(); i++) {
            params.add("$" + i);
        }
        return "SELECT " + routine.map(r -> quoted(r.schema()) + "." + quoted(r.name()))
                .orElse("\"unknown function oid " + oid + "\"") + params;
    }

    /** What the audit trail records as the statement's text: the call, with the oid and the arguments' digest. */
    String recorded(Optional<RoutineInfo> routine) {
        String digest = new Statement(null, null, null, arguments, false).parameterDigest();
        return sql(routine) + " /* fast-path FunctionCall: function oid " + oid
                + (routine.isEmpty() ? ", not in the catalog" : "")
                + ", " + arguments.size() + " argument" + (arguments.size() == 1 ? "" : "s")
                + (digest == null ? "" : ", sha256 " + digest) + " */";
    }

    /** The analysis of {@link #sql}, raised to what the function may do. */
    Analysis raised(Analysis analysis, Optional<RoutineInfo> routine) {
        StatementKind floor = routine.map(r -> r.readOnly() ? StatementKind.READ : StatementKind.WRITE)
                .orElse(StatementKind.UNKNOWN);
        if (routine.isEmpty()) {
            return Analysis.failed(analysis.dialect(), StatementKind.UNKNOWN, analysis.relations(), analysis.fingerprint(),
                    "fast-path call of function oid " + oid + ", which the catalog does not list");
        }
        if (DangerOrder.atLeast(analysis.kind(), floor)) {
            return analysis;
        }
        return new Analysis(analysis.dialect(), floor, analysis.relations(), analysis.columns(), analysis.otherColumns(),
                analysis.writes(), analysis.uses(), analysis.usesComplete(), analysis.fingerprint(), analysis.failure(),
                analysis.effects());
    }

    private static String quoted(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }
}
