package dev.veil.analysis;

import dev.veil.analysis.RelationAccess.Action;
import dev.veil.analysis.catalog.CatalogSnapshot;
import dev.veil.analysis.catalog.ColumnInfo;
import dev.veil.analysis.catalog.RelationInfo;
import dev.veil.analysis.lineage.ColumnRef;
import dev.veil.analysis.lineage.ColumnUse;
import dev.veil.analysis.lineage.Lineage;
import dev.veil.analysis.lineage.LineageReader;
import dev.veil.analysis.lineage.Origin;
import dev.veil.analysis.lineage.WrittenColumn;
import dev.veil.analysis.parser.VeilCommand;
import dev.veil.analysis.parser.VeilCopy;
import dev.veil.analysis.parser.VeilDelete;
import dev.veil.analysis.parser.VeilExplain;
import dev.veil.analysis.parser.VeilInsert;
import dev.veil.analysis.parser.VeilOperators;
import dev.veil.analysis.parser.VeilQuery;
import dev.veil.analysis.parser.VeilUpdate;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.sql.JoinConditionType;
import org.apache.calcite.sql.JoinType;
import org.apache.calcite.sql.SqlBasicCall;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlDescribeTable;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlJoin;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlMerge;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlOrderBy;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.SqlSetOption;
import org.apache.calcite.sql.SqlWith;
import org.apache.calcite.sql.SqlWithItem;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.util.SqlShuttle;
import org.checkerframework.checker.nullness.qual.Nullable;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns one parsed statement into an {@link Analysis}: queries are planned as they are; DML is taken apart into
 * standard queries Calcite can plan (the assignments of an UPDATE become a SELECT over its target and sources, a
 * RETURNING list a SELECT over the target), so lineage comes from the same machinery everywhere.
 */
final class NodeAnalyzer {
    private static final SqlParserPos POS = SqlParserPos.ZERO;
    private static final String EXCLUDED = "excluded";
    private static final String EXCLUDED_ALIAS = "veil_excluded";

    private final Planner planner;
    private final CatalogSnapshot catalog;
    private final NameResolution names;
    private final Dialect dialect;
    /** The WITH items every query planned for the statement sees (a WITH in front of DML), or null. */
    private @Nullable SqlNodeList ctes;

    NodeAnalyzer(Planner planner, CatalogSnapshot catalog, NameResolution names) {
        this.planner = planner;
        this.catalog = catalog;
        this.names = names;
        this.dialect = catalog.dialect();
    }

    AnalysisBuilder analyze(SqlNode node) {
        AnalysisBuilder out = new AnalysisBuilder();
        statement(node, out);
        WriteFlow.apply(out);
        return out;
    }

    private void statement(SqlNode node, AnalysisBuilder out) {
        if (node instanceof VeilQuery q) {
            query(q.query, out);
            if (q.distinctOn != null) {
                distinctOn(q, out);
            }
            if (q.into != null) {
                // The rows also land in a server file (a write) or in session variables later statements read.
                out.atLeast(q.into == VeilQuery.Into.FILE ? StatementKind.WRITE : StatementKind.SESSION);
            }
        } else if (node instanceof VeilInsert i) {
            insert(i, out);
        } else if (node instanceof VeilUpdate u) {
            update(u, out);
        } else if (node instanceof VeilDelete d) {
            delete(d, out);
        } else if (node instanceof VeilExplain e) {
            explain(e, out);
        } else if (node instanceof VeilCopy c) {
            copy(c, out);
        } else if (node instanceof VeilCommand c) {
            command(c, out);
        } else if (node instanceof SqlMerge m) {
            merge(m, out);
        } else if (node instanceof SqlWith w && modifies(w)) {
            with(w, out);
        } else if (node.isA(SqlKind.QUERY)) {
            query(node, out);
        } else if (node instanceof SqlDescribeTable) {
            out.otherColumns = Lineage.NONE;
        } else if (node instanceof SqlSetOption) {
            out.atLeast(StatementKind.SESSION);
            out.otherColumns = Lineage.NONE;
        } else if (node.getKind() == SqlKind.PROCEDURE_CALL) {
            out.atLeast(StatementKind.PROCEDURAL);
        } else {
            throw new UnsupportedOperationException("statements of kind " + node.getKind() + " are not analysed");
        }
    }

    // ---- WITH around or holding data-modifying statements -----------------------------------------------------

    private static boolean isDml(SqlNode node) {
        return node instanceof VeilInsert || node instanceof VeilUpdate || node instanceof VeilDelete;
    }

    private static boolean modifies(SqlWith with) {
        return isDml(with.body) || with.withList.stream().anyMatch(i -> isDml(((SqlWithItem) i).query));
    }

    /**
     * Each data-modifying item is analysed as the statement it is (its writes and relations count), and the rest
     * of the statement sees it as the query of its RETURNING list over the rows it touches; what it writes then
     * flows into what reads it through {@link WriteFlow}. The body, query or DML, is analysed with every planned
     * query inside the WITH.
     */
    private void with(SqlWith with, AnalysisBuilder out) {
        SqlNodeList saved = ctes;
        List<SqlNode> items = new ArrayList<>(saved == null ? List.of() : saved.getList());
        try {
            for (SqlNode n : with.withList) {
                SqlWithItem item = (SqlWithItem) n;
                SqlNode definition = item.query;
                if (isDml(definition)) {
                    ctes = items.isEmpty() ? null : new SqlNodeList(items, POS);
                    AnalysisBuilder inner = new AnalysisBuilder();
                    statement(definition, inner);
                    out.atLeast(inner.kind);
                    out.relations.addAll(inner.relations);
                    out.writes.addAll(inner.writes);
                    out.uses.addAll(inner.uses);
                    out.usesComplete &= inner.usesComplete;
                    definition = returningQuery(definition);
                }
                items.add(new SqlWithItem(item.getParserPosition(), item.name, item.columnList, definition,
                        item.recursive));
            }
            ctes = new SqlNodeList(items, POS);
            if (isDml(with.body)) {
                statement(with.body, out);
            } else {
                query(with.body, out);
            }
        } finally {
            ctes = saved;
        }
    }

    /** The RETURNING list of a data-modifying WITH item as a query over the rows it touches. */
    private static SqlNode returningQuery(SqlNode dml) {
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

    // ---- queries ---------------------------------------------------------------------------------------------

    private LineageReader.Result plan(SqlNode query) {
        return planned(query).result();
    }

    private record PlannedQuery(RelNode rel, LineageReader.Result result) {
        List<String> names() {
            return rel.getRowType().getFieldNames();
        }
    }

    /**
     * Plans a copy of {@code query}. A parameter whose type nothing around it decides ({@code VALUES ($1, $2)},
     * {@code SELECT ?}) fails validation; then the query is planned again with every such parameter typed as
     * VARCHAR. A parameter never has an origin, so its type does not change the lineage.
     */
    private PlannedQuery planned(SqlNode statementQuery) {
        SqlNode query = ctes == null ? statementQuery : new SqlWith(POS, SqlCopy.of(ctes), statementQuery);
        Planner.Planned p;
        try {
            p = planner.plan(SqlCopy.of(query));
        } catch (RuntimeException e) {
            // "Illegal use of dynamic parameter", or the validator failing to type one inside a cast.
            String message = String.valueOf(e.getMessage());
            if (!message.contains("dynamic parameter") && !message.contains("SqlDynamicParam")) {
                throw e;
            }
            p = planner.plan(SqlCopy.typingParameters(query));
        }
        LineageReader.Result r = new LineageReader(planner.metadataQuery(),
                call -> call.getOperator() == VeilOperators.USER_VARIABLE)
                .read(p.rel(), p.predicateSubQueryInSelect()
                        ? "an IN / EXISTS sub-query used as a value is traced to no origin by Calcite" : null);
        return new PlannedQuery(p.rel(), r);
    }

    private void query(SqlNode query, AnalysisBuilder out) {
        PlannedQuery p = planned(query);
        out.reads(p.result(), Action.READ);
        out.output(p.names(), p.result().columns());
    }

    /** DISTINCT ON (e, …) keeps one row per value of e: e is used like a grouping key. */
    private void distinctOn(VeilQuery q, AnalysisBuilder out) {
        SqlNode inner = q.query instanceof SqlOrderBy ob ? ob.query : q.query;
        if (!(inner instanceof SqlSelect select)) {
            throw new UnsupportedOperationException("DISTINCT ON over a set operation");
        }
        LineageReader.Result r = plan(select(q.distinctOn.getList(), select.getFrom(), select.getWhere()));
        for (Lineage l : r.columns()) {
            if (l instanceof Lineage.Known k) {
                k.origins().forEach(o -> out.uses.add(new ColumnUse(o.column(), ColumnUse.Usage.GROUP)));
            } else if (l instanceof Lineage.Unknown) {
                out.usesComplete = false;
            }
        }
    }

    // ---- INSERT / REPLACE ------------------------------------------------------------------------------------

    private void insert(VeilInsert insert, AnalysisBuilder out) {
        out.atLeast(StatementKind.WRITE);
        RelationInfo target = relation(insert.target);
        out.relations.add(new RelationAccess(target.schema(), target.name(), Action.INSERT));
        if (insert.replace) {
            out.relations.add(new RelationAccess(target.schema(), target.name(), Action.DELETE));
        }
        List<String> columns = insert.columns == null
                ? target.columns().stream().map(ColumnInfo::name).toList()
                : insert.columns.getList().stream().map(n -> ((SqlIdentifier) n).getSimple()).toList();
        if (insert.source != null) {
            LineageReader.Result r = plan(insert.source);
            if (r.columns().size() != columns.size()) {
                throw new IllegalStateException("INSERT names " + columns.size() + " columns but its source has "
                        + r.columns().size());
            }
            out.reads(r, Action.READ);
            for (int i = 0; i < columns.size(); i++) {
                out.writes.add(new WrittenColumn(column(target, columns.get(i)), r.columns().get(i)));
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
            LineageReader.Result r = plan(select(values, from, insert.conflict.where() == null ? null
                    : insert.conflict.where().accept(new ExcludedRewrite())));
            out.reads(r, Action.READ);
            List<SqlNode> targets = insert.conflict.targetColumns().getList();
            for (int i = 0; i < targets.size(); i++) {
                out.writes.add(new WrittenColumn(column(target, last((SqlIdentifier) targets.get(i))),
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

    private void update(VeilUpdate update, AnalysisBuilder out) {
        out.atLeast(StatementKind.WRITE);
        List<SqlNode> targets = update.targetColumns.getList();
        List<SqlNode> items = new ArrayList<>();
        targets.forEach(t -> items.add(SqlCopy.of(t)));
        update.values.getList().forEach(v -> items.add(SqlCopy.of(v)));
        SqlNode from = update.from == null ? SqlCopy.of(update.target) : comma(SqlCopy.of(update.target), SqlCopy.of(update.from));
        LineageReader.Result r = plan(select(items, from, SqlCopy.of(update.where)));
        out.reads(r, Action.READ);
        for (int i = 0; i < targets.size(); i++) {
            ColumnRef written = writtenColumn(r.columns().get(i), targets.get(i));
            out.relations.add(new RelationAccess(written.schema(), written.relation(), Action.UPDATE));
            out.writes.add(new WrittenColumn(written, r.columns().get(targets.size() + i)));
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

    private void delete(VeilDelete delete, AnalysisBuilder out) {
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
        for (SqlIdentifier t : targets) {
            RelationInfo r = relation(t);
            out.relations.add(new RelationAccess(r.schema(), r.name(), Action.DELETE));
        }
        LineageReader.Result r = plan(select(List.of(SqlLiteral.createExactNumeric("1", POS)), SqlCopy.of(source),
                SqlCopy.of(delete.where)));
        out.reads(r, Action.READ);
        returning(delete.returning, SqlCopy.of(source), delete.where, out);
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

    // ---- RETURNING, EXPLAIN, COPY, MERGE, commands ------------------------------------------------------------

    private void returning(@Nullable SqlNodeList returning, SqlNode from, @Nullable SqlNode where, AnalysisBuilder out) {
        if (returning == null) {
            out.otherColumns = Lineage.NONE;
            return;
        }
        List<SqlNode> items = new ArrayList<>();
        returning.forEach(n -> items.add(SqlCopy.of(n)));
        PlannedQuery p = planned(select(items, from, SqlCopy.of(where)));
        out.reads(p.result(), Action.READ);
        out.output(p.names(), p.result().columns());
    }

    private void explain(VeilExplain explain, AnalysisBuilder out) {
        AnalysisBuilder inner = new AnalysisBuilder();
        statement(explain.statement, inner);
        if (explain.analyze) {
            out.atLeast(inner.kind);
            out.relations.addAll(inner.relations);
            out.writes.addAll(inner.writes);
        } else {
            inner.relations.forEach(r -> out.relations.add(new RelationAccess(r.schema(), r.relation(), Action.OTHER)));
        }
        out.uses.addAll(inner.uses);
        out.usesComplete &= inner.usesComplete;
        // A plan describes the statement; it holds no stored values.
        out.otherColumns = Lineage.NONE;
    }

    private void copy(VeilCopy copy, AnalysisBuilder out) {
        if (copy.endpoint == VeilCopy.Endpoint.PROGRAM || copy.endpoint == VeilCopy.Endpoint.FILE) {
            out.atLeast(StatementKind.PROCEDURAL);
        }
        if (copy.query != null) {
            AnalysisBuilder inner = new AnalysisBuilder();
            statement(copy.query, inner);
            out.atLeast(inner.kind);
            out.relations.addAll(inner.relations);
            out.columns.addAll(inner.columns);
            out.writes.addAll(inner.writes);
            out.uses.addAll(inner.uses);
            out.usesComplete &= inner.usesComplete;
            return;
        }
        RelationInfo table = relation(copy.table);
        List<SqlNode> items = new ArrayList<>();
        if (copy.columns == null) {
            items.add(SqlIdentifier.star(POS));
        } else {
            copy.columns.forEach(c -> items.add(SqlCopy.of(c)));
        }
        if (copy.into) {
            out.atLeast(StatementKind.WRITE);
            out.relations.add(new RelationAccess(table.schema(), table.name(), Action.INSERT));
            List<String> cols = copy.columns == null ? table.columns().stream().map(ColumnInfo::name).toList()
                    : copy.columns.getList().stream().map(n -> ((SqlIdentifier) n).getSimple()).toList();
            // The rows come from the client or a file, not from stored columns.
            cols.forEach(c -> out.writes.add(new WrittenColumn(column(table, c), Lineage.NONE)));
            out.otherColumns = Lineage.NONE;
        } else {
            PlannedQuery p = planned(select(items, SqlCopy.of(copy.table), null));
            out.reads(p.result(), Action.READ);
            out.output(p.names(), p.result().columns());
        }
    }

    private void merge(SqlMerge merge, AnalysisBuilder out) {
        out.atLeast(StatementKind.WRITE);
        SqlIdentifier targetId = (SqlIdentifier) merge.getTargetTable();
        RelationInfo target = relation(targetId);
        SqlNode targetRef = as(SqlCopy.of(targetId), merge.getAlias() == null ? null : merge.getAlias().getSimple());
        SqlNode join = new SqlJoin(POS, targetRef, SqlLiteral.createBoolean(false, POS),
                JoinType.RIGHT.symbol(POS), SqlCopy.of(merge.getSourceTableRef()), JoinConditionType.ON.symbol(POS),
                SqlCopy.of(merge.getCondition()));
        LineageReader.Result r = plan(select(List.of(SqlLiteral.createExactNumeric("1", POS)), join, null));
        out.reads(r, Action.READ);
        if (merge.getUpdateCall() != null) {
            out.relations.add(new RelationAccess(target.schema(), target.name(), Action.UPDATE));
            List<SqlNode> exprs = SqlCopy.all(merge.getUpdateCall().getSourceExpressionList().getList());
            LineageReader.Result u = plan(select(exprs, SqlCopy.of(join), null));
            List<SqlNode> cols = merge.getUpdateCall().getTargetColumnList().getList();
            for (int i = 0; i < cols.size(); i++) {
                out.writes.add(new WrittenColumn(column(target, last((SqlIdentifier) cols.get(i))), u.columns().get(i)));
            }
        }
        if (merge.getInsertCall() != null) {
            out.relations.add(new RelationAccess(target.schema(), target.name(), Action.INSERT));
            SqlNode source = merge.getInsertCall().getSource();
            if (source instanceof SqlBasicCall values && values.getKind() == SqlKind.VALUES) {
                SqlBasicCall row = values.operand(0);
                LineageReader.Result v = plan(select(SqlCopy.all(row.getOperandList()),
                        SqlCopy.of(merge.getSourceTableRef()), null));
                SqlNodeList cols = merge.getInsertCall().getTargetColumnList();
                List<String> names = cols == null ? target.columns().stream().map(ColumnInfo::name).toList()
                        : cols.getList().stream().map(n -> last((SqlIdentifier) n)).toList();
                for (int i = 0; i < Math.min(names.size(), v.columns().size()); i++) {
                    out.writes.add(new WrittenColumn(column(target, names.get(i)), v.columns().get(i)));
                }
            }
        }
        out.otherColumns = Lineage.NONE;
    }

    private void command(VeilCommand command, AnalysisBuilder out) {
        out.atLeast(command.kind);
        if (command.words.get(0).equals("PREPARE") && command.query != null) {
            // The prepared statement runs later, with EXECUTE; what it will do decides the kind now.
            AnalysisBuilder inner = new AnalysisBuilder();
            statement(command.query, inner);
            out.atLeast(inner.kind);
            inner.relations.forEach(r -> out.relations.add(new RelationAccess(r.schema(), r.relation(), Action.OTHER)));
            out.otherColumns = Lineage.NONE;
            return;
        }
        Action action = switch (command.words.get(0)) {
            case "CREATE" -> Action.CREATE;
            case "ALTER" -> Action.ALTER;
            case "DROP" -> Action.DROP;
            case "TRUNCATE" -> Action.TRUNCATE;
            default -> Action.OTHER;
        };
        List<String> defaultPath = names.schemaPath().isEmpty() ? List.of() : List.of(names.schemaPath().get(0));
        List<List<String>> objects = new ArrayList<>();
        for (SqlIdentifier o : command.objects) {
            List<String> qualified = planner.resolveTable(o.names).orElseGet(() -> {
                List<String> q = new ArrayList<>(o.names.size() == 1 ? defaultPath : List.of());
                q.addAll(o.names);
                return q;
            });
            objects.add(qualified);
            out.relations.add(AnalysisBuilder.access(qualified, action));
        }
        if (command.query != null) {
            PlannedQuery p = planned(command.query);
            LineageReader.Result r = p.result();
            RelNode rel = p.rel();
            out.reads(r, command.createsTable() ? Action.READ : Action.OTHER);
            if (command.words.get(0).equals("DECLARE")) {
                out.otherColumns = Lineage.NONE;
                return;
            }
            if (command.createsTable() && !objects.isEmpty()) {
                List<String> created = objects.get(0);
                RelationAccess a = AnalysisBuilder.access(created, Action.CREATE);
                List<String> fields = rel.getRowType().getFieldNames();
                for (int i = 0; i < fields.size(); i++) {
                    out.writes.add(new WrittenColumn(new ColumnRef(a.schema(), a.relation(), fields.get(i)),
                            r.columns().get(i)));
                }
            }
        }
        if (!command.expressions.isEmpty() && command.expressions.stream().anyMatch(NodeAnalyzer::holdsQuery)) {
            LineageReader.Result r = plan(select(SqlCopy.all(command.expressions), null, null));
            out.reads(r, Action.READ);
        }
        // FETCH / MOVE / HANDLER return rows of a query this statement does not show: their lineage is unknown.
        out.otherColumns = switch (command.words.get(0)) {
            case "FETCH", "MOVE", "HANDLER", "EXECUTE", "DO" -> Lineage.unknown("the rows come from a cursor or "
                    + "prepared statement analysed elsewhere");
            default -> Lineage.NONE;
        };
    }

    private static boolean holdsQuery(SqlNode node) {
        boolean[] found = {false};
        node.accept(new org.apache.calcite.sql.util.SqlBasicVisitor<Void>() {
            @Override
            public Void visit(SqlCall call) {
                if (call.isA(SqlKind.QUERY)) {
                    found[0] = true;
                }
                return super.visit(call);
            }
        });
        return found[0];
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private RelationInfo relation(SqlIdentifier id) {
        List<String> qualified = planner.resolveTable(id.names).orElseThrow(() ->
                new IllegalStateException("relation " + id + " is not in the catalog"));
        String schema = qualified.size() > 1 ? qualified.get(qualified.size() - 2) : "";
        return catalog.relation(schema, qualified.get(qualified.size() - 1)).orElseThrow(() ->
                new IllegalStateException("relation " + id + " is not in the catalog"));
    }

    /** The stored column of {@code table} called {@code name}, matched the way the dialect matches names. */
    private ColumnRef column(RelationInfo table, String name) {
        for (ColumnInfo c : table.columns()) {
            if (dialect == Dialect.MYSQL ? c.name().equalsIgnoreCase(name) : c.name().equals(name)) {
                return new ColumnRef(table.schema(), table.name(), c.name());
            }
        }
        throw new IllegalStateException("column " + name + " is not in " + table.schema() + "." + table.name());
    }

    private static String last(SqlIdentifier id) {
        return id.names.get(id.names.size() - 1);
    }

    private static SqlNode as(SqlNode node, @Nullable String alias) {
        return alias == null ? node : SqlStdOperatorTable.AS.createCall(POS, node, new SqlIdentifier(alias, POS));
    }

    private static SqlNode comma(SqlNode left, SqlNode right) {
        return new SqlJoin(POS, left, SqlLiteral.createBoolean(false, POS), JoinType.COMMA.symbol(POS), right,
                JoinConditionType.NONE.symbol(POS), null);
    }

    private static SqlSelect select(List<SqlNode> items, @Nullable SqlNode from, @Nullable SqlNode where) {
        return new SqlSelect(POS, null, new SqlNodeList(items, POS), from, where, null, null, null, null, null, null,
                null, null);
    }
}
