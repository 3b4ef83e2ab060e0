package dev.veil.analysis;

import dev.veil.analysis.DerivedQueries.PlannedQuery;
import dev.veil.analysis.RelationAccess.Action;
import dev.veil.analysis.catalog.CatalogSnapshot;
import dev.veil.analysis.catalog.ColumnInfo;
import dev.veil.analysis.catalog.RelationInfo;
import dev.veil.analysis.lineage.ColumnRef;
import dev.veil.analysis.lineage.ColumnUse;
import dev.veil.analysis.lineage.Lineage;
import dev.veil.analysis.lineage.LineageReader;
import dev.veil.analysis.lineage.WrittenColumn;
import dev.veil.analysis.parser.VeilCommand;
import dev.veil.analysis.parser.VeilCopy;
import dev.veil.analysis.parser.VeilDelete;
import dev.veil.analysis.parser.VeilExplain;
import dev.veil.analysis.parser.VeilInsert;
import dev.veil.analysis.parser.VeilQuery;
import dev.veil.analysis.parser.VeilUpdate;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlDescribeTable;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlMerge;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlOrderBy;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.SqlSetOption;
import org.apache.calcite.sql.SqlWith;
import org.apache.calcite.sql.SqlWithItem;
import org.apache.calcite.sql.util.SqlBasicVisitor;

import java.util.ArrayList;
import java.util.List;

import static dev.veil.analysis.DerivedQueries.POS;
import static dev.veil.analysis.DerivedQueries.select;

/**
 * Turns one parsed statement into an {@link Analysis}: queries are planned as they are; DML is taken apart into
 * standard queries Calcite can plan (the assignments of an UPDATE become a SELECT over its target and sources, a
 * RETURNING list a SELECT over the target; see {@link DmlAnalyzer}), so lineage comes from the same machinery
 * everywhere.
 */
final class NodeAnalyzer {
    private final Planner planner;
    private final NameResolution names;
    private final DerivedQueries queries;
    private final DmlAnalyzer dml;

    NodeAnalyzer(Planner planner, CatalogSnapshot catalog, NameResolution names) {
        this.planner = planner;
        this.names = names;
        this.queries = new DerivedQueries(planner, catalog);
        this.dml = new DmlAnalyzer(queries, catalog.dialect());
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
                if (q.into == VeilQuery.Into.FILE) {
                    out.flags.add(Effects.Flag.SERVER_FILE);
                }
            }
        } else if (node instanceof VeilInsert i) {
            dml.insert(i, out);
        } else if (node instanceof VeilUpdate u) {
            dml.update(u, out);
        } else if (node instanceof VeilDelete d) {
            dml.delete(d, out);
        } else if (node instanceof VeilExplain e) {
            explain(e, out);
        } else if (node instanceof VeilCopy c) {
            copy(c, out);
        } else if (node instanceof VeilCommand c) {
            command(c, out);
        } else if (node instanceof SqlMerge m) {
            dml.merge(m, out);
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
            out.command = List.of("CALL");
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
        if (with.withList.stream().anyMatch(i -> isDml(((SqlWithItem) i).query))) {
            out.flags.add(Effects.Flag.DATA_MODIFYING_CTE);
        }
        SqlNodeList saved = queries.ctes();
        List<SqlNode> items = new ArrayList<>(saved == null ? List.of() : saved.getList());
        try {
            for (SqlNode n : with.withList) {
                SqlWithItem item = (SqlWithItem) n;
                SqlNode definition = item.query;
                if (isDml(definition)) {
                    queries.ctes(items.isEmpty() ? null : new SqlNodeList(items, POS));
                    AnalysisBuilder inner = new AnalysisBuilder();
                    statement(definition, inner);
                    out.atLeast(inner.kind);
                    out.relations.addAll(inner.relations);
                    out.writes.addAll(inner.writes);
                    out.uses.addAll(inner.uses);
                    out.usesComplete &= inner.usesComplete;
                    out.effectsOf(inner);
                    definition = DmlAnalyzer.returningQuery(definition);
                }
                items.add(new SqlWithItem(item.getParserPosition(), item.name, item.columnList, definition,
                        item.recursive));
            }
            queries.ctes(new SqlNodeList(items, POS));
            if (isDml(with.body)) {
                statement(with.body, out);
            } else {
                query(with.body, out);
            }
        } finally {
            queries.ctes(saved);
        }
    }

    // ---- queries ---------------------------------------------------------------------------------------------

    private void query(SqlNode query, AnalysisBuilder out) {
        PlannedQuery p = queries.planned(query);
        out.reads(p.result(), Action.READ);
        out.output(p.names(), p.result().columns());
    }

    /** DISTINCT ON (e, …) keeps one row per value of e: e is used like a grouping key. */
    private void distinctOn(VeilQuery q, AnalysisBuilder out) {
        SqlNode inner = q.query instanceof SqlOrderBy ob ? ob.query : q.query;
        if (!(inner instanceof SqlSelect select)) {
            throw new UnsupportedOperationException("DISTINCT ON over a set operation");
        }
        LineageReader.Result r = queries.plan(select(q.distinctOn.getList(), select.getFrom(), select.getWhere()));
        for (Lineage l : r.columns()) {
            if (l instanceof Lineage.Known k) {
                k.origins().forEach(o -> {
                    out.uses.add(new ColumnUse(o.column(), ColumnUse.Usage.GROUP));
                    out.uses.add(new ColumnUse(o.column(), ColumnUse.Usage.DISTINCT));
                });
            } else if (l instanceof Lineage.Unknown) {
                out.usesComplete = false;
            }
        }
    }

    // ---- EXPLAIN, COPY, commands ------------------------------------------------------------------------------

    private void explain(VeilExplain explain, AnalysisBuilder out) {
        AnalysisBuilder inner = new AnalysisBuilder();
        statement(explain.statement, inner);
        if (explain.analyze) {
            // EXPLAIN ANALYZE runs the statement: it does what the statement does.
            out.atLeast(inner.kind);
            out.relations.addAll(inner.relations);
            out.writes.addAll(inner.writes);
            out.effectsOf(inner);
            if (!inner.writes.isEmpty() || !inner.rowFilters.isEmpty() || inner.kind != StatementKind.READ) {
                out.flags.add(Effects.Flag.EXPLAIN_ANALYZE_WRITE);
            }
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
            out.flags.add(copy.endpoint == VeilCopy.Endpoint.PROGRAM ? Effects.Flag.SERVER_PROGRAM : Effects.Flag.SERVER_FILE);
        }
        out.command = List.of("COPY", copy.into ? "FROM" : "TO", copy.endpoint.name());
        if (copy.query != null) {
            AnalysisBuilder inner = new AnalysisBuilder();
            statement(copy.query, inner);
            out.atLeast(inner.kind);
            out.relations.addAll(inner.relations);
            out.columns.addAll(inner.columns);
            out.writes.addAll(inner.writes);
            out.uses.addAll(inner.uses);
            out.usesComplete &= inner.usesComplete;
            out.effectsOf(inner);
            return;
        }
        RelationInfo table = queries.relation(copy.table);
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
            cols.forEach(c -> out.writes.add(new WrittenColumn(queries.column(table, c), Lineage.NONE)));
            out.otherColumns = Lineage.NONE;
        } else {
            PlannedQuery p = queries.planned(select(items, SqlCopy.of(copy.table), null));
            out.reads(p.result(), Action.READ);
            out.output(p.names(), p.result().columns());
        }
    }

    private void command(VeilCommand command, AnalysisBuilder out) {
        out.atLeast(command.kind);
        out.command = command.words;
        if (command.words.size() > 1 && command.words.get(0).equals("LOAD")
                && (command.words.get(1).equals("DATA") || command.words.get(1).equals("XML"))) {
            // LOAD DATA INFILE reads a file on the server (LOCAL, the client's file, is refused by a built-in rule).
            out.flags.add(Effects.Flag.SERVER_FILE);
        }
        if (command.words.get(0).equals("PREPARE") && command.query != null) {
            // The prepared statement runs later, with EXECUTE; what it will do decides the kind now.
            AnalysisBuilder inner = new AnalysisBuilder();
            statement(command.query, inner);
            out.atLeast(inner.kind);
            inner.relations.forEach(r -> out.relations.add(new RelationAccess(r.schema(), r.relation(), Action.OTHER)));
            // What it will do when EXECUTE runs it is what the guardrails judge now.
            out.effectsOf(inner);
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
            PlannedQuery p = queries.planned(command.query);
            LineageReader.Result r = p.result();
            RelNode rel = p.rel();
            out.reads(r, command.createsTable() ? Action.READ : Action.OTHER);
            if (command.words.get(0).equals("DECLARE")) {
                // DECLARE itself returns no rows, but each FETCH of the cursor returns the query's: its columns are
                // the query's, so that the masking plan of the cursor can be made when it is declared.
                out.output(p.names(), r.columns());
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
            LineageReader.Result r = queries.plan(select(SqlCopy.all(command.expressions), null, null));
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
        node.accept(new SqlBasicVisitor<Void>() {
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
}
