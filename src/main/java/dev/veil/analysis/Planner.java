package dev.veil.analysis;

import dev.veil.analysis.catalog.CatalogSnapshot;
import dev.veil.analysis.lineage.AggregateOrigins;
import dev.veil.analysis.lineage.RecursiveQueryOrigins;
import dev.veil.analysis.lineage.RelWalk;
import dev.veil.analysis.parser.VeilOperators;
import dev.veil.analysis.text.LexicalSettings;
import org.apache.calcite.jdbc.CalciteSchema;
import org.apache.calcite.jdbc.JavaTypeFactoryImpl;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelOptTable;
import org.apache.calcite.plan.hep.HepPlanner;
import org.apache.calcite.plan.hep.HepProgram;
import org.apache.calcite.prepare.CalciteCatalogReader;
import org.apache.calcite.prepare.Prepare;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.RelRoot;
import org.apache.calcite.rel.core.Correlate;
import org.apache.calcite.rel.core.Filter;
import org.apache.calcite.rel.core.Join;
import org.apache.calcite.rel.core.Project;
import org.apache.calcite.rel.core.RelFactories;
import org.apache.calcite.rel.metadata.ChainedRelMetadataProvider;
import org.apache.calcite.rel.metadata.DefaultRelMetadataProvider;
import org.apache.calcite.rel.metadata.ProxyingMetadataHandlerProvider;
import org.apache.calcite.rel.metadata.RelMetadataProvider;
import org.apache.calcite.rel.metadata.RelMetadataQuery;
import org.apache.calcite.rel.rules.CoreRules;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeSystem;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexSubQuery;
import org.apache.calcite.rex.RexUtil;
import org.apache.calcite.rex.RexVisitorImpl;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlJoin;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlNumericLiteral;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.parser.SqlParseException;
import org.apache.calcite.sql.parser.SqlParser;
import org.apache.calcite.sql.util.SqlBasicVisitor;
import org.apache.calcite.sql.validate.SqlNameMatchers;
import org.apache.calcite.sql.validate.SqlValidator;
import org.apache.calcite.sql2rel.RelDecorrelator;
import org.apache.calcite.sql2rel.SqlToRelConverter;
import org.apache.calcite.sql2rel.StandardConvertletTable;
import org.checkerframework.checker.nullness.qual.Nullable;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The Calcite objects for analysing one statement against one catalog snapshot and name-resolution state:
 * parse, validate, convert to a relational plan. Not thread-safe; one per analysis.
 *
 * <p>Conversion keeps sub-queries unexpanded and then rewrites them to correlates and decorrelates, only when the
 * plan holds them: with Calcite's default expansion a scalar sub-query in the select list yields an empty origin
 * set, which would read as "constant" (fail open). Metadata goes through {@link ProxyingMetadataHandlerProvider},
 * so no bytecode is generated at run time.
 */
final class Planner implements RelOptTable.ViewExpander {
    private static final HepProgram SUB_QUERY_REMOVAL = HepProgram.builder()
            .addRuleInstance(CoreRules.PROJECT_SUB_QUERY_TO_CORRELATE)
            .addRuleInstance(CoreRules.FILTER_SUB_QUERY_TO_CORRELATE)
            .addRuleInstance(CoreRules.JOIN_SUB_QUERY_TO_CORRELATE)
            .build();

    private final DialectProfile profile;
    private final CalciteSchema schema;
    private final List<List<String>> schemaPaths;
    private final JavaTypeFactoryImpl typeFactory = new JavaTypeFactoryImpl(RelDataTypeSystem.DEFAULT);
    private final Prepare.CatalogReader catalogReader;
    private final RelOptCluster cluster;
    private final Deadline deadline;

    Planner(DialectProfile profile, CatalogSnapshot snapshot, NameResolution names, Deadline deadline) {
        this.profile = profile;
        this.deadline = deadline;
        this.schema = snapshot.calciteSchema();
        this.schemaPaths = schemaPaths(profile.dialect(), names);
        this.catalogReader = new PathCatalogReader(schema, schemaPaths, typeFactory, profile);
        this.cluster = RelOptCluster.create(new HepPlanner(HepProgram.builder().build()), new RexBuilder(typeFactory));
        RelMetadataProvider metadata = ChainedRelMetadataProvider.of(
                List.of(AggregateOrigins.SOURCE, RecursiveQueryOrigins.SOURCE, DefaultRelMetadataProvider.INSTANCE));
        cluster.setMetadataQuerySupplier(() -> new RelMetadataQuery(new ProxyingMetadataHandlerProvider(metadata)));
    }

    /** PostgreSQL searches pg_catalog first unless the path names it; the root comes last for qualified names. */
    private static List<List<String>> schemaPaths(Dialect dialect, NameResolution names) {
        List<List<String>> paths = new ArrayList<>();
        if (dialect == Dialect.POSTGRESQL && !names.schemaPath().contains("pg_catalog")) {
            paths.add(List.of("pg_catalog"));
        }
        names.schemaPath().forEach(s -> paths.add(List.of(s)));
        paths.add(List.of());
        return paths;
    }

    SqlNode parse(String sql) throws SqlParseException {
        return SqlParser.create(sql, profile.parserConfig()).parseStmt();
    }

    RelMetadataQuery metadataQuery() {
        return cluster.getMetadataQuery();
    }

    /** The qualified name ([schema, relation]) of a table or view, as the statement's name resolution finds it. */
    Optional<List<String>> resolveTable(List<String> names) {
        Prepare.PreparingTable table = catalogReader.getTable(names);
        return Optional.ofNullable(table).map(RelOptTable::getQualifiedName);
    }

    /**
     * A planned query. {@code predicateSubQueryInSelect} is set when an IN / EXISTS / quantified sub-query is used
     * as a value in a select list: after the rewrite its result is computed from indicator columns Calcite traces
     * to no origin, though the value depends on the sub-query's columns, so "no origin" must not be trusted.
     */
    record Planned(RelNode rel, boolean predicateSubQueryInSelect, RelNode converted) {
    }

    /** Validates and converts a query; the result's fields are exactly the query's output columns. */
    Planned plan(SqlNode query) {
        deadline.checkNow();
        boolean[] predicateInSelect = {false};
        RelNode[] converted = new RelNode[1];
        RelRoot root = toRel(query, catalogReader, predicateInSelect, converted);
        return new Planned(root.project(), predicateInSelect[0], converted[0]);
    }

    /** {@code converted} receives the plan as converted, its sub-queries still in place (row filters read it). */
    private RelRoot toRel(SqlNode query, Prepare.CatalogReader reader, boolean[] predicateInSelect, RelNode[] converted) {
        SqlValidator validator = new BudgetedValidator(profile.operators(), reader, typeFactory,
                profile.validatorConfig(), deadline,
                profile.dialect() == Dialect.POSTGRESQL);
        normalise(query);
        SqlNode validated = validator.validate(query);
        SqlToRelConverter converter = new SqlToRelConverter(this, validator, reader, cluster,
                StandardConvertletTable.INSTANCE, SqlToRelConverter.config().withExpand(false)
                .withTrimUnusedFields(false).withDecorrelationEnabled(false)
                // No simplification: it folds expressions by their literals (CASE WHEN false THEN ssn … becomes a
                // constant), and analyses are cached by fingerprint, which ignores literals.
                .withRelBuilderConfigTransform(c -> c.withSimplify(false)));
        RelRoot root = converter.convertQuery(validated, false, true);
        converted[0] = root.rel;
        deadline.checkNow();
        RelWalk.each(root.rel, node -> {
            if (node instanceof Project p) {
                p.getProjects().forEach(e -> e.accept(new RexVisitorImpl<Void>(true) {
                    @Override
                    public Void visitSubQuery(RexSubQuery subQuery) {
                        if (subQuery.getKind() != SqlKind.SCALAR_QUERY) {
                            predicateInSelect[0] = true;
                        }
                        return super.visitSubQuery(subQuery);
                    }
                }));
            }
        });
        return root.withRel(removeSubQueries(root.rel));
    }

    /**
     * Rewrites PostgreSQL forms Calcite reads differently into their standard equivalents (see
     * {@link #nameScalarFunctionColumn}, {@link #modeOf}). GROUP BY 2 means GROUP BY the second select expression; it is replaced by a copy of that expression, which
     * groups the same way. (Calcite's own ordinal handling fails with a NullPointerException when the select list
     * holds a CASE.)
     */
    private static void normalise(SqlNode query) {
        query.accept(new SqlBasicVisitor<Void>() {
            @Override
            public Void visit(SqlNodeList list) {
                for (int i = 0; i < list.size(); i++) {
                    SqlNode mode = modeOf(list.get(i));
                    if (mode != null) {
                        list.set(i, mode);
                    }
                }
                return super.visit(list);
            }

            @Override
            public Void visit(SqlCall call) {
                for (int i = 0; i < call.operandCount(); i++) {
                    SqlNode mode = call.operand(i) == null ? null : modeOf(call.operand(i));
                    if (mode != null) {
                        call.setOperand(i, mode);
                    }
                }
                if (call instanceof SqlSelect select && select.getFrom() != null) {
                    select.setFrom(nameScalarFunctionColumn(select.getFrom()));
                }
                if (call instanceof SqlJoin join) {
                    join.setLeft(nameScalarFunctionColumn(join.getLeft()));
                    join.setRight(lateral(nameScalarFunctionColumn(join.getRight())));
                }
                if (call instanceof SqlSelect select && select.getGroup() != null) {
                    List<SqlNode> items = select.getSelectList().getList();
                    List<SqlNode> group = new ArrayList<>();
                    for (SqlNode g : select.getGroup()) {
                        group.add(ordinal(g, items));
                    }
                    select.setGroupBy(new SqlNodeList(group, select.getGroup().getParserPosition()));
                }
                return super.visit(call);
            }
        });
    }

    /**
     * PostgreSQL's {@code mode() WITHIN GROUP (ORDER BY x)}, the most frequent x, is Calcite's {@code MODE(x)}
     * (which refuses WITHIN GROUP): the same value, so the same lineage. Null for any other node.
     */
    private static @Nullable SqlNode modeOf(SqlNode node) {
        if (node.getKind() != SqlKind.WITHIN_GROUP || !(((SqlCall) node).operand(0) instanceof SqlCall agg)
                || !agg.getOperator().getName().equalsIgnoreCase("MODE") || agg.operandCount() != 0
                || !(((SqlCall) node).operand(1) instanceof SqlNodeList order) || order.size() != 1) {
            return null;
        }
        SqlNode key = order.get(0);
        while (key instanceof SqlCall c && (c.getKind() == SqlKind.DESCENDING || c.getKind() == SqlKind.NULLS_FIRST
                || c.getKind() == SqlKind.NULLS_LAST)) {
            key = c.operand(0);
        }
        return SqlStdOperatorTable.MODE.createCall(node.getParserPosition(), key);
    }

    /**
     * {@code FROM generate_series(1, 3) g}: PostgreSQL names the single column of a scalar set-returning function
     * after the alias (g), so the alias is repeated as the column name.
     */
    private static SqlNode nameScalarFunctionColumn(SqlNode fromItem) {
        if (fromItem.getKind() != SqlKind.AS
                || ((SqlCall) fromItem).operandCount() != 2) {
            return fromItem;
        }
        SqlCall as = (SqlCall) fromItem;
        SqlNode source = as.operand(0);
        if (source.getKind() == SqlKind.COLLECTION_TABLE) {
            source = ((SqlCall) source).operand(0);
        }
        if (source instanceof SqlCall f && f.getOperator().getNameAsId().isSimple()
                && VeilOperators.isScalarTableFunction(f.getOperator().getName())
                && as.operand(1) instanceof SqlIdentifier alias) {
            return SqlStdOperatorTable.AS.createCall(as.getParserPosition(), as.operand(0),
                    alias, new SqlIdentifier(alias.getSimple(), alias.getParserPosition()));
        }
        return fromItem;
    }

    /**
     * PostgreSQL reads a function call in FROM as LATERAL (its arguments may name columns of items to its left);
     * Calcite needs the word. A set-returning function on the right of a join gets it.
     */
    private static SqlNode lateral(SqlNode fromItem) {
        SqlNode item = fromItem;
        SqlCall as = null;
        if (item.getKind() == SqlKind.AS) {
            as = (SqlCall) item;
            item = as.operand(0);
        }
        if (item.getKind() != SqlKind.COLLECTION_TABLE
                || !(((SqlCall) item).operand(0) instanceof SqlCall f)
                || VeilOperators.TABLE_FUNCTIONS.stream()
                        .noneMatch(t -> t.getName().equalsIgnoreCase(f.getOperator().getName()))) {
            return fromItem;
        }
        SqlNode lateral = SqlStdOperatorTable.LATERAL.createCall(item.getParserPosition(), item);
        if (as == null) {
            return lateral;
        }
        List<SqlNode> operands = new ArrayList<>(as.getOperandList());
        operands.set(0, lateral);
        return SqlStdOperatorTable.AS.createCall(as.getParserPosition(), operands);
    }

    private static SqlNode ordinal(SqlNode g, List<SqlNode> items) {
        if (g instanceof SqlNumericLiteral n && n.isInteger()) {
            int i = n.intValue(true);
            if (i >= 1 && i <= items.size()) {
                SqlNode item = items.get(i - 1);
                if (item.getKind() == SqlKind.AS) {
                    item = ((SqlCall) item).operand(0);
                }
                boolean star = item instanceof SqlIdentifier id && id.isStar();
                if (!star) {
                    return SqlCopy.of(item);
                }
            }
        }
        return g;
    }

    private RelNode removeSubQueries(RelNode rel) {
        deadline.checkNow();
        RelNode out = rel;
        if (contains(out, true)) {
            HepPlanner hep = new HepPlanner(SUB_QUERY_REMOVAL);
            hep.setRoot(out);
            out = hep.findBestExp();
        }
        if (contains(out, false)) {
            try {
                out = RelDecorrelator.decorrelateQuery(out, RelFactories.LOGICAL_BUILDER.create(cluster, null));
            } catch (RuntimeException | AssertionError e) {
                // Keep the correlated plan: the lineage reader does not trust it, so its columns come out Unknown.
            }
        }
        return out;
    }

    /** Whether the plan holds sub-query expressions (subQueries) or correlates (otherwise). */
    private static boolean contains(RelNode rel, boolean subQueries) {
        boolean[] found = {false};
        RelWalk.each(rel, other -> {
            if (subQueries ? other instanceof Project p && RexUtil.SubQueryFinder.containsSubQuery(p)
                    || other instanceof Filter f && RexUtil.SubQueryFinder.containsSubQuery(f)
                    || other instanceof Join j && RexUtil.SubQueryFinder.containsSubQuery(j)
                    : other instanceof Correlate) {
                found[0] = true;
            }
        });
        return found[0];
    }

    /** Expands a view's defining query, resolving its names from the view's own schema. */
    @Override
    public RelRoot expandView(RelDataType rowType, String queryString, List<String> viewSchemaPath,
                              List<String> viewPath) {
        try {
            // Definitions come from the server (pg_get_viewdef ends with ';'): prepare them like any statement.
            CalciteText text = CalciteText.of(profile.dialect(),
                    LexicalSettings.defaults(profile.dialect()), queryString);
            SqlNode node = parse(text.sql().orElseThrow(() -> new IllegalStateException("the definition of view "
                    + String.join(".", viewPath) + " is not analysable: " + text.problem().orElse(""))));
            List<List<String>> paths = new ArrayList<>();
            if (profile.dialect() == Dialect.POSTGRESQL) {
                paths.add(List.of("pg_catalog"));
            }
            paths.add(viewSchemaPath);
            paths.add(List.of());
            return toRel(node, new PathCatalogReader(schema, paths, typeFactory, profile), new boolean[1],
                    new RelNode[1]);
        } catch (SqlParseException e) {
            throw new IllegalStateException("the definition of view " + String.join(".", viewPath)
                    + " does not parse: " + e.getMessage(), e);
        }
    }

    /** A catalog reader that searches several schemas in order, like a search_path. */
    private static final class PathCatalogReader extends CalciteCatalogReader {
        PathCatalogReader(CalciteSchema root, List<List<String>> paths, JavaTypeFactoryImpl typeFactory,
                          DialectProfile profile) {
            super(root, SqlNameMatchers.withCaseSensitive(profile.connectionConfig().caseSensitive()), paths,
                    typeFactory, profile.connectionConfig());
        }
    }

}
