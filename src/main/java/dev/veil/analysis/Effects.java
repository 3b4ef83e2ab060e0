package dev.veil.analysis;

import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What a statement does beyond the relations and columns it touches, as the guardrails need it: the words of a
 * command the parser classified by its words ({@code DROP TABLE …}, {@code SET TRANSACTION READ WRITE}), the
 * functions it calls, how each UPDATE / DELETE in it chooses its rows, and what it reaches outside the
 * database. All of it comes from the parse and the plan, never from the text.
 *
 * @param command          the upper-case words of a command (DDL, SET, utility, transaction control, PREPARE);
 *                         empty for queries and DML
 * @param functions        the functions it calls, lower case, without schema
 * @param rowFilters       each UPDATE / DELETE it holds (in a WITH, an EXPLAIN ANALYZE, a PREPARE included) with
 *                         how its WHERE chooses rows
 * @param flags            see {@link Flag}
 * @param literalSensitive a row filter's verdict depends on the statement's literal values, so the analysis must
 *                         not be shared with texts that differ only in literals (see AnalysisCache)
 * @param parts            the analyses of the statements of a multi-statement text, in order; empty otherwise
 */
public record Effects(List<String> command, SortedSet<String> functions, List<RowFilter> rowFilters, Set<Flag> flags,
                      boolean literalSensitive, List<Analysis> parts) {
    public static final Effects NONE = new Effects(List.of(), new TreeSet<>(), List.of(), EnumSet.noneOf(Flag.class),
            false, List.of());

    public Effects {
        command = List.copyOf(command);
        functions = Collections.unmodifiableSortedSet(new TreeSet<>(functions));
        rowFilters = List.copyOf(rowFilters);
        flags = flags.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(flags));
        parts = List.copyOf(parts);
    }

    public enum Flag {
        /** A WITH item is an INSERT / UPDATE / DELETE (PostgreSQL): the statement writes whatever its body says. */
        DATA_MODIFYING_CTE,
        /** EXPLAIN ANALYZE of a statement that writes: it runs the statement. */
        EXPLAIN_ANALYZE_WRITE,
        /** Reads or writes files on the database server: COPY … TO / FROM 'file', SELECT … INTO OUTFILE / DUMPFILE, LOAD DATA INFILE. */
        SERVER_FILE,
        /** Runs a program on the database server: COPY … PROGRAM. */
        SERVER_PROGRAM
    }

    /** An UPDATE or DELETE of {@code relation} (schema-qualified) and how its WHERE chooses rows. */
    public record RowFilter(String relation, RelationAccess.Action action, Filter filter) {
    }

    public enum Filter {
        /** No WHERE clause. */
        NONE,
        /**
         * The WHERE keeps every row: proved always true on the plan (RexSimplify: {@code 1=1}, {@code x IS NOT NULL
         * OR TRUE}), or it does not read the row at all (a constant, an uncorrelated sub-query: all rows or none),
         * for some truth value of its constant parts.
         */
        ALWAYS_TRUE,
        /** The WHERE only drops rows whose columns are NULL ({@code id = id} is {@code id IS NOT NULL}): no real filter. */
        NULLS_ONLY,
        /** A condition on the rows' values. */
        REAL;

        /** Whether it chooses nothing but every row (or every non-null one). */
        public boolean unfiltered() {
            return this != REAL;
        }
    }
}
