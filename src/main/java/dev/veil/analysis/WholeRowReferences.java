package dev.veil.analysis;

import dev.veil.analysis.parser.VeilOperators;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeField;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlFunction;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.SqlWindow;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.validate.SqlNameMatcher;
import org.apache.calcite.sql.validate.SqlValidatorImpl;
import org.apache.calcite.sql.validate.SqlValidatorScope;
import org.apache.calcite.sql.validate.SqlValidatorUtil;
import org.checkerframework.checker.nullness.qual.Nullable;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * PostgreSQL's whole-row references: a FROM item's name used as a value ({@code SELECT c FROM customers c},
 * {@code row_to_json(c)}, {@code c::text}, {@code json_agg(c)}) or {@code c.*} inside an expression
 * ({@code ROW(c.*)}, {@code count(c.*)}). Calcite has neither, so each becomes
 * {@code VEIL_ROW(c.col1, c.col2, …)} over every column of that FROM item before the expressions of a SELECT are
 * validated; its value, like any function's, is derived from all of them, so lineage follows the row through
 * aliases, sub-queries, CTEs, views and LATERAL with Calcite's own column origins.
 *
 * <p>It runs inside the validator, once the SELECT's FROM items are validated, so the row's columns are the FROM
 * item's as Calcite resolved them (a sub-query's select list, a view's columns, an outer query's item for a
 * correlated reference) rather than a second reading of the scoping rules. As in PostgreSQL, a column of that name
 * anywhere in scope wins over the FROM item.
 */
final class WholeRowReferences {
    private final SqlValidatorImpl validator;
    private final SqlValidatorScope scope;
    private final SqlNameMatcher matcher;

    private WholeRowReferences(SqlValidatorImpl validator, SqlValidatorScope scope) {
        this.validator = validator;
        this.scope = scope;
        this.matcher = validator.getCatalogReader().nameMatcher();
    }

    /** Rewrites the whole-row references among the expressions of {@code select} (not of its sub-queries). */
    static void expand(SqlValidatorImpl validator, SqlSelect select) {
        WholeRowReferences rows = new WholeRowReferences(validator, validator.getWhereScope(select));
        SqlNodeList items = select.getSelectList();
        Set<String> outputNames = new HashSet<>();
        for (int i = 0; i < items.size(); i++) {
            SqlNode item = items.get(i);
            if (item instanceof SqlIdentifier id && !id.isStar()) {
                SqlNode row = rows.row(id);
                if (row != null) {
                    // PostgreSQL names the column after the reference (c), not "row".
                    items.set(i, SqlStdOperatorTable.AS.createCall(id.getParserPosition(), row,
                            new SqlIdentifier(id.getSimple(), id.getParserPosition())));
                }
            } else if (!(item instanceof SqlIdentifier)) {
                items.set(i, rows.rewrite(item, true));
            }
            String name = SqlValidatorUtil.alias(item);
            if (name != null) {
                outputNames.add(name);
            }
        }
        if (select.getWhere() != null) {
            select.setWhere(rows.rewrite(select.getWhere(), false));
        }
        // GROUP BY c and ORDER BY c mean the output column c when there is one, as in PostgreSQL.
        rows.rewriteKeys(select.getGroup(), outputNames);
        if (select.getHaving() != null) {
            select.setHaving(rows.rewrite(select.getHaving(), false));
        }
        rows.rewriteKeys(select.getOrderList(), outputNames);
        rows.rewriteAll(select.getWindowList());
    }

    private void rewriteKeys(@Nullable SqlNodeList keys, Set<String> outputNames) {
        if (keys == null) {
            return;
        }
        for (int i = 0; i < keys.size(); i++) {
            if (!(orderKey(keys.get(i)) instanceof SqlIdentifier id && id.isSimple()
                    && outputNames.contains(id.getSimple()))) {
                keys.set(i, rewrite(keys.get(i), false));
            }
        }
    }

    private static SqlNode orderKey(SqlNode item) {
        SqlNode key = item;
        while (key instanceof SqlCall c && (c.getKind() == SqlKind.DESCENDING || c.getKind() == SqlKind.NULLS_FIRST
                || c.getKind() == SqlKind.NULLS_LAST)) {
            key = c.operand(0);
        }
        return key;
    }

    private void rewriteAll(@Nullable SqlNodeList list) {
        if (list != null) {
            for (int i = 0; i < list.size(); i++) {
                list.set(i, rewrite(list.get(i), false));
            }
        }
    }

    /**
     * The node with its whole-row references replaced (in place where they sit inside calls).
     *
     * @param value whether the node is used as a value of its own (a select item, a function's argument, a cast's
     *              operand), where a ROW(…) constructor is one composite value; elsewhere (a comparison, IN) it
     *              stays a row of values
     */
    private SqlNode rewrite(SqlNode node, boolean value) {
        if (node instanceof SqlIdentifier id) {
            SqlNode row = row(id);
            return row == null ? node : row;
        }
        if (node instanceof SqlNodeList list) {
            for (int i = 0; i < list.size(); i++) {
                list.set(i, rewrite(list.get(i), value));
            }
            return node;
        }
        if (!(node instanceof SqlCall call) || call.isA(SqlKind.QUERY) || skipped(call.getKind())) {
            // A sub-query has its own FROM items: the validator expands it when it validates that SELECT.
            return node;
        }
        if (call instanceof SqlWindow w) {
            rewriteAll(w.getPartitionList());
            rewriteAll(w.getOrderList());
            return node;
        }
        if (call.getKind() == SqlKind.ROW) {
            return row(call, value);
        }
        // Only the value of AS, a named argument, OVER's function: the other operand is a name, not a value.
        int operands = call.getKind() == SqlKind.AS || call.getKind() == SqlKind.ARGUMENT_ASSIGNMENT
                || call.getKind() == SqlKind.OVER ? 1 : call.operandCount();
        boolean arguments = call.getOperator() instanceof SqlFunction || call.getKind() == SqlKind.CAST
                || call.getKind() == SqlKind.AS && value;
        for (int i = 0; i < operands; i++) {
            SqlNode operand = call.operand(i);
            if (operand != null) {
                SqlNode replaced = rewrite(operand, arguments);
                if (replaced != operand) {
                    call.setOperand(i, replaced);
                }
            }
        }
        if (call.getKind() == SqlKind.OVER && call.operand(1) instanceof SqlWindow w) {
            rewrite(w, false);
        }
        return node;
    }

    /**
     * {@code ROW(c.*, x)} holds c's columns and x. Where it is a value of its own ({@code ROW(c.*)::text},
     * {@code row_to_json(ROW(a, b))}) it is one composite value, which Calcite cannot cast or pass to functions:
     * it becomes {@code VEIL_ROW(…)} over the same values.
     */
    private SqlNode row(SqlCall row, boolean value) {
        List<SqlNode> operands = new ArrayList<>();
        for (SqlNode o : row.getOperandList()) {
            List<SqlNode> columns = o instanceof SqlIdentifier id && id.isStar() ? columns(id) : null;
            if (columns != null) {
                operands.addAll(columns);
            } else {
                operands.add(rewrite(o, true));
            }
        }
        return (value ? VeilOperators.WHOLE_ROW : SqlStdOperatorTable.ROW).createCall(row.getParserPosition(), operands);
    }

    /** Calls whose identifier operands name tables or types, not values. */
    private static boolean skipped(SqlKind kind) {
        return kind == SqlKind.EXPLICIT_TABLE || kind == SqlKind.COLLECTION_TABLE || kind == SqlKind.CURSOR
                || kind == SqlKind.LATERAL || kind == SqlKind.SELECT;
    }

    /** {@code VEIL_ROW(c.col1, …)} when {@code id} is a whole-row reference, else null. */
    private @Nullable SqlNode row(SqlIdentifier id) {
        List<SqlNode> columns = columns(id);
        return columns == null ? null : VeilOperators.WHOLE_ROW.createCall(id.getParserPosition(), columns);
    }

    /** {@code c.col1, …} when {@code id} is a whole-row reference ({@code c} or {@code c.*}), else null. */
    private @Nullable List<SqlNode> columns(SqlIdentifier id) {
        boolean star = id.isStar();
        if (star ? id.names.size() != 2 : !id.isSimple()) {
            return null;
        }
        String alias = id.names.get(0);
        // Most names are columns: whether the name is a FROM item's is the cheaper question, asked first.
        SqlValidatorScope.ResolvedImpl resolved = new SqlValidatorScope.ResolvedImpl();
        scope.resolve(List.of(alias), matcher, false, resolved);
        if (resolved.count() != 1 || !star && (validator.makeNullaryCall(id) != null
                || !scope.findQualifyingTableNames(alias, id, matcher).isEmpty())) {
            return null;
        }
        RelDataType rowType = resolved.only().namespace.getRowType();
        List<SqlNode> columns = new ArrayList<>();
        for (RelDataTypeField f : rowType.getFieldList()) {
            columns.add(new SqlIdentifier(List.of(alias, f.getName()), id.getParserPosition()));
        }
        return columns.isEmpty() ? null : columns;
    }
}
