package dev.veil.analysis;

import dev.veil.analysis.catalog.CatalogSnapshot;
import dev.veil.analysis.catalog.ColumnInfo;
import dev.veil.analysis.catalog.RelationInfo;
import dev.veil.analysis.lineage.ColumnRef;
import dev.veil.analysis.lineage.LineageReader;
import dev.veil.analysis.parser.VeilOperators;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.sql.JoinConditionType;
import org.apache.calcite.sql.JoinType;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlJoin;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.SqlWith;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.checkerframework.checker.nullness.qual.Nullable;

import java.util.List;

/**
 * The standard queries the analysers derive from the parts of one statement (the statement's own query, an
 * UPDATE's assignments as a SELECT, a RETURNING list, ...): their pieces are built here, each is planned inside
 * the WITH items of the statement around it and its lineage read, and the tables and columns a statement writes
 * are found in the catalog.
 */
final class DerivedQueries {
    static final SqlParserPos POS = SqlParserPos.ZERO;

    private final Planner planner;
    private final CatalogSnapshot catalog;
    private final Dialect dialect;
    /** The WITH items every query planned for the statement sees (a WITH in front of DML), or null. */
    private @Nullable SqlNodeList ctes;

    DerivedQueries(Planner planner, CatalogSnapshot catalog) {
        this.planner = planner;
        this.catalog = catalog;
        this.dialect = catalog.dialect();
    }

    @Nullable SqlNodeList ctes() {
        return ctes;
    }

    void ctes(@Nullable SqlNodeList ctes) {
        this.ctes = ctes;
    }

    LineageReader.Result plan(SqlNode query) {
        return planned(query).result();
    }

    /** {@code converted}: the plan before sub-queries were rewritten (see Planner.Planned). */
    record PlannedQuery(RelNode rel, LineageReader.Result result, RelNode converted) {
        List<String> names() {
            return rel.getRowType().getFieldNames();
        }
    }

    /**
     * Plans a copy of {@code query}. A parameter whose type nothing around it decides ({@code VALUES ($1, $2)},
     * {@code SELECT ?}) fails validation; then the query is planned again with every such parameter typed as
     * VARCHAR. A parameter never has an origin, so its type does not change the lineage.
     */
    PlannedQuery planned(SqlNode statementQuery) {
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
        return new PlannedQuery(p.rel(), r, p.converted());
    }

    RelationInfo relation(SqlIdentifier id) {
        List<String> qualified = planner.resolveTable(id.names).orElseThrow(() ->
                new IllegalStateException("relation " + id + " is not in the catalog"));
        String schema = qualified.size() > 1 ? qualified.get(qualified.size() - 2) : "";
        return catalog.relation(schema, qualified.get(qualified.size() - 1)).orElseThrow(() ->
                new IllegalStateException("relation " + id + " is not in the catalog"));
    }

    /** The number of columns of relation {@code schema.name}, -1 when the catalog does not list it. */
    int fieldCount(String schema, String name) {
        return catalog.relation(schema, name).map(r -> r.columns().size()).orElse(-1);
    }

    /** The stored column of {@code table} called {@code name}, matched the way the dialect matches names. */
    ColumnRef column(RelationInfo table, String name) {
        for (ColumnInfo c : table.columns()) {
            if (dialect == Dialect.MYSQL ? c.name().equalsIgnoreCase(name) : c.name().equals(name)) {
                return new ColumnRef(table.schema(), table.name(), c.name());
            }
        }
        throw new IllegalStateException("column " + name + " is not in " + table.schema() + "." + table.name());
    }

    static String last(SqlIdentifier id) {
        return id.names.get(id.names.size() - 1);
    }

    static SqlNode as(SqlNode node, @Nullable String alias) {
        return alias == null ? node : SqlStdOperatorTable.AS.createCall(POS, node, new SqlIdentifier(alias, POS));
    }

    static SqlNode comma(SqlNode left, SqlNode right) {
        return new SqlJoin(POS, left, SqlLiteral.createBoolean(false, POS), JoinType.COMMA.symbol(POS), right,
                JoinConditionType.NONE.symbol(POS), null);
    }

    static SqlSelect select(List<SqlNode> items, @Nullable SqlNode from, @Nullable SqlNode where) {
        return new SqlSelect(POS, null, new SqlNodeList(items, POS), from, where, null, null, null, null, null, null,
                null, null);
    }
}
