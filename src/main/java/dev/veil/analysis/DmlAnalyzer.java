package dev.veil.analysis;

import dev.veil.analysis.DerivedQueries.PlannedQuery;
import dev.veil.analysis.RelationAccess.Action;
import dev.veil.analysis.catalog.ColumnInfo;
import dev.veil.analysis.catalog.RelationInfo;
import dev.veil.analysis.lineage.ColumnRef;
import dev.veil.analysis.lineage.Lineage;
import dev.veil.analysis.lineage.LineageReader;
import dev.veil.analysis.lineage.Origin;
import dev.veil.analysis.lineage.WrittenColumn;
import dev.veil.analysis.parser.VeilDelete;
import dev.veil.analysis.parser.VeilInsert;
import dev.veil.analysis.parser.VeilUpdate;
import org.apache.calcite.sql.JoinConditionType;
import org.apache.calcite.sql.JoinType;
import org.apache.calcite.sql.SqlBasicCall;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlJoin;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlMerge;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.util.SqlShuttle;
import org.checkerframework.checker.nullness.qual.Nullable;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.veil.analysis.DerivedQueries.POS;
import static dev.veil.analysis.DerivedQueries.as;
import static dev.veil.analysis.DerivedQueries.comma;
import static dev.veil.analysis.DerivedQueries.last;
import static dev.veil.analysis.DerivedQueries.select;

/**
 * The statements that write (INSERT / REPLACE, UPDATE, DELETE, MERGE), taken apart into standard queries Calcite
 * can plan: the assignments of an UPDATE become a SELECT over its target and sources, the update of an upsert a
 * SELECT over the target and the proposed row, a RETURNING list a SELECT over the target.
 */
final class DmlAnalyzer {
    private static final String EXCLUDED = "excluded";
    private static final String EXCLUDED_ALIAS = "veil_excluded";

    private final DerivedQueries queries;
    private final Dialect dialect;

    DmlAnalyzer(DerivedQueries queries, Dialect dialect) {
        this.queries = queries;
        this.dialect = dialect;
    }

    // ---- INSERT / REPLACE ------------------------------------------------------------------------------------

    void insert(VeilInsert insert, AnalysisBuilder out) {
        out.atLeast(StatementKind.WRITE);
        RelationInfo target = queries.relation(insert.target);
        out.relations.add(new RelationAccess(target.schema(), target.name(), Action.INSERT));
        if (insert.replace) {
            out.relations.add(new RelationAccess(target.schema(), target.name(), Action.DELETE));
        }
        List<String> columns = insert.columns == null
                ? target.columns().stream().map(ColumnInfo::name).toList()
                : insert.columns.getList().stream().map(n -> ((SqlIdentifier) n).getSimple()).toList();
        if (insert.source != null) {
            LineageReader.Result r = queries.plan(insert.source);
            if (r.columns().size() != columns.size()) {
                throw new IllegalStateException("INSERT names " + columns.size() + " columns but its source has "
                        + r.columns().size());
            }
            out.reads(r, Action.READ);
            for (int i = 0; i < columns.size(); i++) {
                out.writes.add(new WrittenColumn(queries.column(target, columns.get(i)), r.columns().get(i)));
            }
        }
        SqlNode targetRef = as(SqlCopy.of(insert.target), insert.alias == null ? null : insert.alias.getSimple());
        if (insert.conflict != null && !insert.conflict.doNothing()) {
            out.relations.add(new RelationAccess(target.schema(), target.name(), Action.UPDATE));
            SqlNode from = targetRef;
            if (insert.source != null) {
                List<SqlNode> aliases = new ArrayList<>();
                aliases.add(SqlCopy.of(insert.source));
                aliases.add(new SqlIdentifier(EXCLUDED_ALIAS, POS));
                columns.forEach(c -> aliases.add(new SqlIdentifier(EXCLUDED_ALIAS + "_" + c, POS)));
                from = comma(targetRef, SqlStdOperatorTable.AS.createCall(POS, aliases));
            }
            List<SqlNode> values = new ArrayList<>();
            insert.conflict.values().forEach(v -> values.add(v.accept(new ExcludedRewrite())));
            LineageReader.Result r = queries.plan(select(values, from, insert.conflict.where() == null ? null
                    : insert.conflict.where().accept(new ExcludedRewrite())));
            out.reads(r, Action.READ);
            List<SqlNode> targets = insert.conflict.targetColumns().getList();
            for (int i = 0; i < targets.size(); i++) {
                out.writes.add(new WrittenColumn(queries.column(target, last((SqlIdentifier) targets.get(i))),
                        r.columns().get(i)));
            }
        }
        returning(insert.returning, SqlCopy.of(targetRef), null, out);
    }

    /** Reads PostgreSQL's {@code excluded.c} (and MySQL's VALUES(c), parsed as such) from the source's row. */
    private static final class ExcludedRewrite extends SqlShuttle {
        @Override
        public SqlNode visit(SqlIdentifier id) {
            if (id.names.size() == 2 && id.names.get(0).equalsIgnoreCase(EXCLUDED)) {
                return new SqlIdentifier(List.of(EXCLUDED_ALIAS, EXCLUDED_ALIAS + "_" + id.names.get(1)), id.getParserPosition());
            }
            return new SqlIdentifier(id.names, id.getParserPosition());
        }

        @Override
        public SqlNode visit(SqlCall call) {
            if (call.getKind() == SqlKind.DEFAULT) {
                return SqlLiteral.createNull(call.getParserPosition());
            }
            CallCopyingArgHandler handler = new CallCopyingArgHandler(call, true);
            call.getOperator().acceptCall(this, call, false, handler);
            return handler.result();
        }
    }

    // ---- UPDATE ----------------------------------------------------------------------------------------------

    void update(VeilUpdate update, AnalysisBuilder out) {
        out.atLeast(StatementKind.WRITE);
        List<SqlNode> targets = update.targetColumns.getList();
        List<SqlNode> items = new ArrayList<>();
        targets.forEach(t -> items.add(SqlCopy.of(t)));
        update.values.getList().forEach(v -> items.add(SqlCopy.of(v)));
        SqlNode from = update.from == null ? SqlCopy.of(update.target) : comma(SqlCopy.of(update.target), SqlCopy.of(update.from));
        PlannedQuery planned = queries.planned(select(items, from, SqlCopy.of(update.where)));
        LineageReader.Result r = planned.result();
        out.reads(r, Action.READ);
        ColumnRef first = null;
        for (int i = 0; i < targets.size(); i++) {
            ColumnRef written = writtenColumn(r.columns().get(i), targets.get(i));
            first = first == null ? written : first;
            out.relations.add(new RelationAccess(written.schema(), written.relation(), Action.UPDATE));
            out.writes.add(new WrittenColumn(written, r.columns().get(targets.size() + i)));
        }
        if (first != null) {
            int fields = update.from == null ? -1 : queries.fieldCount(first.schema(), first.relation());
            rowFilter(new RelationAccess(first.schema(), first.relation(), Action.UPDATE), planned, update.where, fields, out);
        }
        SqlNode returningFrom = update.from == null ? SqlCopy.of(update.target) : comma(SqlCopy.of(update.target), SqlCopy.of(update.from));
        returning(update.returning, returningFrom, update.where, out);
    }

    /** The column an assignment target names: its lineage must be one stored column, unchanged. */
    private static ColumnRef writtenColumn(Lineage lineage, SqlNode target) {
        if (lineage instanceof Lineage.Known k && k.origins().size() == 1) {
            Origin o = k.origins().iterator().next();
            if (!o.derived()) {
                return o.column();
            }
        }
        throw new IllegalStateException("cannot tell which stored column the assignment to " + target + " writes");
    }

    // ---- DELETE ----------------------------------------------------------------------------------------------

    void delete(VeilDelete delete, AnalysisBuilder out) {
        out.atLeast(StatementKind.WRITE);
        SqlNode source;
        List<SqlIdentifier> targets = new ArrayList<>();
        Map<String, SqlIdentifier> aliases = new LinkedHashMap<>();
        if (!delete.targets.isEmpty()) {
            source = delete.from;
            collectTables(delete.from, aliases);
            delete.targets.forEach(t -> targets.add(aliases.getOrDefault(last((SqlIdentifier) t), (SqlIdentifier) t)));
        } else if (delete.using != null && dialect == Dialect.MYSQL) {
            source = delete.using;
            collectTables(delete.using, aliases);
            Map<String, SqlIdentifier> listed = new LinkedHashMap<>();
            collectTables(delete.from, listed);
            listed.values().forEach(t -> targets.add(aliases.getOrDefault(last(t), t)));
        } else {
            source = delete.using == null ? delete.from : comma(delete.from, delete.using);
            collectTables(delete.from, aliases);
            if (aliases.size() != 1) {
                throw new IllegalStateException("DELETE FROM names " + aliases.size() + " tables");
            }
            targets.add(aliases.values().iterator().next());
        }
        List<RelationAccess> deleted = new ArrayList<>();
        for (SqlIdentifier t : targets) {
            RelationInfo r = queries.relation(t);
            deleted.add(new RelationAccess(r.schema(), r.name(), Action.DELETE));
        }
        out.relations.addAll(deleted);
        PlannedQuery planned = queries.planned(select(List.of(SqlLiteral.createExactNumeric("1", POS)),
                SqlCopy.of(source), SqlCopy.of(delete.where)));
        out.reads(planned.result(), Action.READ);
        // The target's fields come first when it is the one table of FROM (PostgreSQL's USING follows it).
        int fields = dialect == Dialect.POSTGRESQL && deleted.size() == 1 && source != delete.from
                ? queries.fieldCount(deleted.get(0).schema(), deleted.get(0).relation()) : -1;
        for (RelationAccess d : deleted) {
            rowFilter(d, planned, delete.where, fields, out);
        }
        returning(delete.returning, SqlCopy.of(source), delete.where, out);
    }

    /** Records how the statement's WHERE chooses the rows of {@code target} (see {@link RowFilters}). */
    private static void rowFilter(RelationAccess target, PlannedQuery planned, @Nullable SqlNode where, int targetFields,
                                  AnalysisBuilder out) {
        RowFilters.Verdict v = RowFilters.of(planned.converted(), where != null, targetFields);
        out.rowFilters.add(new Effects.RowFilter(target.qualified(), target.action(), v.filter()));
        out.literalSensitive |= v.literalSensitive();
    }

    /** Table identifiers of a FROM item by the name the statement refers to them with (alias or table name). */
    private static void collectTables(SqlNode from, Map<String, SqlIdentifier> out) {
        if (from instanceof SqlIdentifier id) {
            out.put(last(id), id);
        } else if (from instanceof SqlJoin j) {
            collectTables(j.getLeft(), out);
            collectTables(j.getRight(), out);
        } else if (from instanceof SqlBasicCall call && call.getKind() == SqlKind.AS
                && call.operand(0) instanceof SqlIdentifier id) {
            out.put(((SqlIdentifier) call.operand(1)).getSimple(), id);
        }
    }

    // ---- RETURNING, MERGE, DML in a WITH ----------------------------------------------------------------------

    private void returning(@Nullable SqlNodeList returning, SqlNode from, @Nullable SqlNode where, AnalysisBuilder out) {
        if (returning == null) {
            out.otherColumns = Lineage.NONE;
            return;
        }
        List<SqlNode> items = new ArrayList<>();
        returning.forEach(n -> items.add(SqlCopy.of(n)));
        PlannedQuery p = queries.planned(select(items, from, SqlCopy.of(where)));
        out.reads(p.result(), Action.READ);
        out.output(p.names(), p.result().columns());
    }

    void merge(SqlMerge merge, AnalysisBuilder out) {
        out.atLeast(StatementKind.WRITE);
        SqlIdentifier targetId = (SqlIdentifier) merge.getTargetTable();
        RelationInfo target = queries.relation(targetId);
        SqlNode targetRef = as(SqlCopy.of(targetId), merge.getAlias() == null ? null : merge.getAlias().getSimple());
        SqlNode join = new SqlJoin(POS, targetRef, SqlLiteral.createBoolean(false, POS),
                JoinType.RIGHT.symbol(POS), SqlCopy.of(merge.getSourceTableRef()), JoinConditionType.ON.symbol(POS),
                SqlCopy.of(merge.getCondition()));
        LineageReader.Result r = queries.plan(select(List.of(SqlLiteral.createExactNumeric("1", POS)), join, null));
        out.reads(r, Action.READ);
        if (merge.getUpdateCall() != null) {
            RelationAccess updated = new RelationAccess(target.schema(), target.name(), Action.UPDATE);
            out.relations.add(updated);
            // The rows WHEN MATCHED updates are those its ON condition matches: judged like an UPDATE's WHERE.
            PlannedQuery matched = queries.planned(select(List.of(SqlLiteral.createExactNumeric("1", POS)),
                    comma(SqlCopy.of(targetRef), SqlCopy.of(merge.getSourceTableRef())), SqlCopy.of(merge.getCondition())));
            rowFilter(updated, matched, merge.getCondition(), queries.fieldCount(target.schema(), target.name()), out);
            List<SqlNode> exprs = SqlCopy.all(merge.getUpdateCall().getSourceExpressionList().getList());
            LineageReader.Result u = queries.plan(select(exprs, SqlCopy.of(join), null));
            List<SqlNode> cols = merge.getUpdateCall().getTargetColumnList().getList();
            for (int i = 0; i < cols.size(); i++) {
                out.writes.add(new WrittenColumn(queries.column(target, last((SqlIdentifier) cols.get(i))),
                        u.columns().get(i)));
            }
        }
        if (merge.getInsertCall() != null) {
            out.relations.add(new RelationAccess(target.schema(), target.name(), Action.INSERT));
            SqlNode source = merge.getInsertCall().getSource();
            if (source instanceof SqlBasicCall values && values.getKind() == SqlKind.VALUES) {
                SqlBasicCall row = values.operand(0);
                LineageReader.Result v = queries.plan(select(SqlCopy.all(row.getOperandList()),
                        SqlCopy.of(merge.getSourceTableRef()), null));
                SqlNodeList cols = merge.getInsertCall().getTargetColumnList();
                List<String> names = cols == null ? target.columns().stream().map(ColumnInfo::name).toList()
                        : cols.getList().stream().map(n -> last((SqlIdentifier) n)).toList();
                for (int i = 0; i < Math.min(names.size(), v.columns().size()); i++) {
                    out.writes.add(new WrittenColumn(queries.column(target, names.get(i)), v.columns().get(i)));
                }
            }
        }
        out.otherColumns = Lineage.NONE;
    }

    /** The RETURNING list of a data-modifying WITH item as a query over the rows it touches. */
    static SqlNode returningQuery(SqlNode dml) {
        SqlNodeList returning;
        SqlNode from;
        SqlNode where = null;
        if (dml instanceof VeilInsert i) {
            returning = i.returning;
            from = as(SqlCopy.of(i.target), i.alias == null ? null : i.alias.getSimple());
        } else if (dml instanceof VeilUpdate u) {
            returning = u.returning;
            from = u.from == null ? SqlCopy.of(u.target) : comma(SqlCopy.of(u.target), SqlCopy.of(u.from));
            where = SqlCopy.of(u.where);
        } else {
            VeilDelete d = (VeilDelete) dml;
            returning = d.returning;
            from = d.using == null ? SqlCopy.of(d.from) : comma(SqlCopy.of(d.from), SqlCopy.of(d.using));
            where = SqlCopy.of(d.where);
        }
        if (returning == null) {
            throw new UnsupportedOperationException("a data-modifying WITH item without RETURNING");
        }
        return select(SqlCopy.all(returning.getList()), from, where);
    }
}
