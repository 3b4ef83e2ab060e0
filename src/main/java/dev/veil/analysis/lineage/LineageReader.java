package dev.veil.analysis.lineage;

import org.apache.calcite.plan.RelOptTable;
import org.apache.calcite.rel.RelCollation;
import org.apache.calcite.rel.RelFieldCollation;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.Aggregate;
import org.apache.calcite.rel.core.AggregateCall;
import org.apache.calcite.rel.core.Filter;
import org.apache.calcite.rel.core.Intersect;
import org.apache.calcite.rel.core.Join;
import org.apache.calcite.rel.core.Minus;
import org.apache.calcite.rel.core.Project;
import org.apache.calcite.rel.core.SetOp;
import org.apache.calcite.rel.core.Snapshot;
import org.apache.calcite.rel.core.Sort;
import org.apache.calcite.rel.core.TableScan;
import org.apache.calcite.rel.core.Union;
import org.apache.calcite.rel.core.Values;
import org.apache.calcite.rel.metadata.RelColumnOrigin;
import org.apache.calcite.rel.metadata.RelMetadataQuery;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexCorrelVariable;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexOver;
import org.apache.calcite.rex.RexShuttle;
import org.apache.calcite.rex.RexSubQuery;
import org.apache.calcite.rex.RexVisitorImpl;
import org.apache.calcite.plan.RelOptUtil;
import org.apache.calcite.util.ImmutableBitSet;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Reads column lineage and column uses from a relational plan with {@code RelMetadataQuery.getColumnOrigins}.
 *
 * <p>Calcite answers "no origin" (an empty set) for anything it cannot see through a leaf: a correlation variable
 * left in a projection after decorrelation failed, a table function, an operator it has no handler for. An empty
 * set is therefore trusted only when every node of the plan is of a kind whose origin handler is exact and no
 * correlation variable or sub-query expression is left; otherwise "no origin" becomes Unknown. A null answer
 * (a node no handler knows, an unknown input) is always Unknown. Two handlers of ours come before Calcite's:
 * {@link AggregateOrigins} and {@link RecursiveQueryOrigins}.
 */
public final class LineageReader {
    /** Node kinds whose origin handlers in RelMdColumnOrigins are exact. */
    private static final List<Class<? extends RelNode>> EXACT = List.of(TableScan.class, Project.class, Filter.class,
            Join.class, Aggregate.class, Union.class, Intersect.class, Minus.class, Sort.class, Values.class,
            Snapshot.class);

    private final RelMetadataQuery mq;
    private final Predicate<RexCall> opaqueCall;

    /**
     * @param opaqueCall calls whose value cannot be traced (a MySQL user variable can hold anything an earlier
     *                   statement stored): a plan holding one has Unknown lineage everywhere
     */
    public LineageReader(RelMetadataQuery mq, Predicate<RexCall> opaqueCall) {
        this.mq = mq;
        this.opaqueCall = opaqueCall;
    }

    public record Result(List<Lineage> columns, Set<ColumnUse> uses, boolean usesComplete, Set<List<String>> tablesRead) {
    }

    public Result read(RelNode rel) {
        return read(rel, null);
    }

    /** @param extraDistrust a reason, known from before the plan was rewritten, not to trust empty origin sets */
    public Result read(RelNode rel, String extraDistrust) {
        String untrusted = untrustedReason(rel);
        if (untrusted == null || !untrusted.startsWith("!")) {
            untrusted = extraDistrust != null ? extraDistrust : untrusted;
        }
        List<Lineage> columns = new ArrayList<>();
        for (int i = 0; i < rel.getRowType().getFieldCount(); i++) {
            columns.add(lineage(rel, i, untrusted));
        }
        Set<ColumnUse> uses = new TreeSet<>();
        boolean[] complete = {true};
        collectUses(rel, uses, complete);
        Set<List<String>> tables = new HashSet<>();
        for (RelOptTable t : RelOptUtil.findAllTables(rel)) {
            if (t.getQualifiedName().size() > 1) {
                tables.add(t.getQualifiedName());
            }
        }
        return new Result(columns, uses, complete[0] && untrusted == null, tables);
    }

    private Lineage lineage(RelNode rel, int index, String untrusted) {
        Set<RelColumnOrigin> origins = mq.getColumnOrigins(rel, index);
        if (origins == null) {
            return Lineage.unknown("Calcite cannot trace column " + index + " through this plan");
        }
        if (untrusted != null && (origins.isEmpty() || untrusted.startsWith("!"))) {
            return Lineage.unknown(untrusted.replaceFirst("^!", ""));
        }
        List<Origin> out = new ArrayList<>();
        for (RelColumnOrigin o : origins) {
            if (!stored(o)) {
                return Lineage.unknown("column " + index + " comes from a working table of a recursive query");
            }
            out.add(new Origin(ref(o), o.isDerived()));
        }
        return Lineage.of(out);
    }

    /** Catalog relations have [schema, name]; the working table of a recursive CTE has only a name. */
    private static boolean stored(RelColumnOrigin o) {
        return o.getOriginTable().getQualifiedName().size() > 1;
    }

    static ColumnRef ref(RelColumnOrigin o) {
        RelOptTable table = o.getOriginTable();
        List<String> name = table.getQualifiedName();
        String column = table.getRowType().getFieldList().get(o.getOriginColumnOrdinal()).getName();
        return new ColumnRef(name.size() > 1 ? name.get(name.size() - 2) : "", name.get(name.size() - 1), column);
    }

    /**
     * Why empty origin sets cannot be trusted in this plan, or null when they can. A reason starting with "!"
     * makes every column Unknown, not only the empty ones.
     */
    private String untrustedReason(RelNode rel) {
        String[] reason = {null};
        RelWalk.each(rel, other -> {
            if (reason[0] == null && EXACT.stream().noneMatch(c -> c.isInstance(other))) {
                reason[0] = "the plan holds " + other.getRelTypeName() + ", whose lineage Calcite does not know exactly";
            }
            other.accept(new RexScan(reason));
        });
        return reason[0];
    }

    private final class RexScan extends RexShuttle {
        private final String[] reason;

        RexScan(String[] reason) {
            this.reason = reason;
        }

        @Override
        public RexNode visitCall(RexCall call) {
            if (opaqueCall.test(call)) {
                reason[0] = "!the statement reads a user variable, which can hold any earlier result";
            }
            return super.visitCall(call);
        }

        @Override
        public RexNode visitCorrelVariable(RexCorrelVariable variable) {
            if (reason[0] == null) {
                reason[0] = "a correlated sub-query could not be decorrelated";
            }
            return variable;
        }

        @Override
        public RexNode visitSubQuery(RexSubQuery subQuery) {
            if (reason[0] == null) {
                reason[0] = "a sub-query could not be rewritten";
            }
            return subQuery;
        }
    }

    private void collectUses(RelNode rel, Set<ColumnUse> uses, boolean[] complete) {
        RelWalk.each(rel, other -> {
                if (other instanceof Filter f) {
                    ImmutableBitSet bits = RelOptUtil.InputFinder.bits(f.getCondition());
                    addBits(f.getInput(), bits, ColumnUse.Usage.FILTER, uses, complete);
                    addBits(f.getInput(), EqualityTerms.unequal(f.getCondition()), ColumnUse.Usage.INEQUALITY, uses, complete);
                    if (aggregated(f.getInput())) {
                        addBits(f.getInput(), bits, ColumnUse.Usage.HAVING, uses, complete);
                    }
                } else if (other instanceof Join j) {
                    ImmutableBitSet bits = RelOptUtil.InputFinder.bits(j.getCondition());
                    ImmutableBitSet unequal = EqualityTerms.unequal(j.getCondition());
                    int left = j.getLeft().getRowType().getFieldCount();
                    for (int b : bits) {
                        RelNode side = b < left ? j.getLeft() : j.getRight();
                        int index = b < left ? b : b - left;
                        add(side, index, ColumnUse.Usage.JOIN, uses, complete);
                        if (unequal.get(b)) {
                            add(side, index, ColumnUse.Usage.INEQUALITY, uses, complete);
                        }
                    }
                } else if (other instanceof Aggregate a) {
                    addBits(a.getInput(), a.getGroupSet(), ColumnUse.Usage.GROUP, uses, complete);
                    if (a.getAggCallList().isEmpty()) {
                        // SELECT DISTINCT is planned as this grouping (and GROUP BY without aggregates is DISTINCT).
                        addBits(a.getInput(), a.getGroupSet(), ColumnUse.Usage.DISTINCT, uses, complete);
                    }
                    for (AggregateCall c : a.getAggCallList()) {
                        // count(*) FILTER (WHERE birth_date > …) reveals birth_date like a WHERE clause does.
                        if (c.filterArg >= 0) {
                            add(a.getInput(), c.filterArg, ColumnUse.Usage.FILTER, uses, complete);
                        }
                        // string_agg(email, ',' ORDER BY ssn) reveals how the ssn values sort.
                        c.getCollation().getFieldCollations()
                                .forEach(fc -> add(a.getInput(), fc.getFieldIndex(), ColumnUse.Usage.ORDER, uses, complete));
                    }
                } else if (other instanceof SetOp s && !s.all) {
                    // INTERSECT / EXCEPT keep rows by comparing them with the other side's: a filter on each
                    // column. UNION without ALL removes duplicates: DISTINCT.
                    boolean union = s instanceof Union;
                    for (RelNode input : s.getInputs()) {
                        for (int i = 0; i < input.getRowType().getFieldCount(); i++) {
                            add(input, i, union ? ColumnUse.Usage.DISTINCT : ColumnUse.Usage.FILTER, uses, complete);
                        }
                    }
                } else if (other instanceof Sort s) {
                    RelCollation collation = s.getCollation();
                    for (RelFieldCollation fc : collation.getFieldCollations()) {
                        add(s.getInput(), fc.getFieldIndex(), ColumnUse.Usage.ORDER, uses, complete);
                    }
                } else if (other instanceof Project p) {
                    for (RexNode e : p.getProjects()) {
                        e.accept(new RexVisitorImpl<Void>(true) {
                            @Override
                            public Void visitOver(RexOver over) {
                                ImmutableBitSet.Builder b = ImmutableBitSet.builder();
                                over.getWindow().partitionKeys.forEach(k -> b.addAll(RelOptUtil.InputFinder.bits(k)));
                                over.getWindow().orderKeys.forEach(k -> b.addAll(RelOptUtil.InputFinder.bits(k.left)));
                                addBits(p.getInput(), b.build(), ColumnUse.Usage.WINDOW, uses, complete);
                                return super.visitOver(over);
                            }
                        });
                    }
                }
        });
    }

    /** Whether {@code rel} is an aggregate, seen through projections: a filter over it is a HAVING clause. */
    private static boolean aggregated(RelNode rel) {
        RelNode r = rel;
        while (r instanceof Project p) {
            r = p.getInput();
        }
        return r instanceof Aggregate;
    }

    private void addBits(RelNode input, ImmutableBitSet bits, ColumnUse.Usage usage, Set<ColumnUse> uses, boolean[] complete) {
        for (int b : bits) {
            add(input, b, usage, uses, complete);
        }
    }

    private void add(RelNode input, int index, ColumnUse.Usage usage, Set<ColumnUse> uses, boolean[] complete) {
        Set<RelColumnOrigin> origins = mq.getColumnOrigins(input, index);
        if (origins == null) {
            complete[0] = false;
            return;
        }
        for (RelColumnOrigin o : origins) {
            if (stored(o)) {
                uses.add(new ColumnUse(ref(o), usage));
                if (o.isDerived() && (usage == ColumnUse.Usage.FILTER || usage == ColumnUse.Usage.JOIN)) {
                    // WHERE s = '123' over a sub-query's substr(ssn, 1, 3) AS s compares a part of ssn.
                    uses.add(new ColumnUse(ref(o), ColumnUse.Usage.INEQUALITY));
                }
            } else {
                complete[0] = false;
            }
        }
    }

}
