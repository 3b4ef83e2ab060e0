package dev.veil.analysis;

import org.apache.calcite.plan.RelOptPredicateList;
import org.apache.calcite.plan.RelOptUtil;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.Filter;
import org.apache.calcite.rel.core.Project;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexCorrelVariable;
import org.apache.calcite.rex.RexDynamicParam;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexShuttle;
import org.apache.calcite.rex.RexSimplify;
import org.apache.calcite.rex.RexSubQuery;
import org.apache.calcite.rex.RexUtil;
import org.apache.calcite.rex.RexVisitorImpl;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.type.SqlTypeName;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * How the WHERE of an UPDATE or DELETE chooses rows, proved on its plan ({@code SELECT 1 FROM target … WHERE
 * condition}, as converted, sub-queries still in place).
 *
 * <p>A condition that reads no column of the target row (a constant such as {@code 1=1} or {@code NOT FALSE},
 * an uncorrelated sub-query) keeps every row or none: no filter. Otherwise its <em>constant parts</em> (boolean
 * sub-expressions that read no row: {@code TRUE}, {@code 'a'='a'}, a boolean parameter) are set to each truth
 * value in turn and the rest simplified by Calcite's {@link RexSimplify} (NULL counting as false, as WHERE
 * does): always true for some setting is no filter; a conjunction of {@code x IS NOT NULL} (what {@code id = id}
 * is under SQL's null semantics) only drops NULLs, which is no real filter either. The constant parts are
 * tried both ways because analyses are shared by statements differing only in literals: {@code id = 5 OR 1 = 0}
 * reads like {@code id = 5 OR 1 = 1}.
 *
 * <p>Other literals matter to the proof ({@code id >= 0 OR id < 0} is always true, {@code id >= 0 OR id < -5}
 * is not): a condition holding literals anywhere but as one side of a plain comparison of its top-level
 * conjuncts ({@code id = 5 AND status = 'x'}, never always true whatever the values) is reported
 * literal-sensitive, and its analysis is then not shared with other literals.
 */
final class RowFilters {
    /** Constant parts tried both ways; past this many the condition counts as no filter (fail closed). */
    private static final int MAX_CONSTANT_PARTS = 8;

    record Verdict(Effects.Filter filter, boolean literalSensitive) {
    }

    private RowFilters() {
    }

    /**
     * @param converted    the converted plan of the statement's row selection
     * @param hasWhere     whether the statement has a WHERE clause
     * @param targetFields the leading fields of the filter's input that are the target's row; -1 for all of them
     */
    static Verdict of(RelNode converted, boolean hasWhere, int targetFields) {
        if (!hasWhere) {
            return new Verdict(Effects.Filter.NONE, false);
        }
        Filter filter = topFilter(converted);
        if (filter == null) {
            // The converter leaves out a WHERE that is the literal TRUE.
            return new Verdict(Effects.Filter.ALWAYS_TRUE, false);
        }
        RexNode condition = filter.getCondition();
        int fields = targetFields < 0 ? filter.getInput().getRowType().getFieldCount() : targetFields;
        if (!readsRow(condition, fields)) {
            return new Verdict(Effects.Filter.ALWAYS_TRUE, false);
        }
        List<RexNode> constants = new ArrayList<>();
        collectConstantParts(condition, fields, constants);
        if (constants.size() > MAX_CONSTANT_PARTS) {
            return new Verdict(Effects.Filter.ALWAYS_TRUE, false);
        }
        RexBuilder rex = filter.getCluster().getRexBuilder();
        RexSimplify simplify = new RexSimplify(rex, RelOptPredicateList.EMPTY, RexUtil.EXECUTOR);
        Effects.Filter verdict = Effects.Filter.REAL;
        for (int setting = 0; setting < 1 << constants.size() && verdict != Effects.Filter.ALWAYS_TRUE; setting++) {
            Map<RexNode, RexNode> values = new IdentityHashMap<>();
            for (int i = 0; i < constants.size(); i++) {
                values.put(constants.get(i), rex.makeLiteral((setting >> i & 1) == 1));
            }
            RexNode simplified = simplify.simplifyUnknownAsFalse(replace(condition, values));
            if (simplified.isAlwaysTrue()) {
                verdict = Effects.Filter.ALWAYS_TRUE;
            } else if (nullsOnly(simplified)) {
                verdict = Effects.Filter.NULLS_ONLY;
            }
        }
        return new Verdict(verdict, literalSensitive(condition, constants));
    }

    /** The filter right under the query's projection, if the WHERE left one in the plan. */
    private static Filter topFilter(RelNode rel) {
        RelNode node = rel;
        while (node instanceof Project p) {
            node = p.getInput();
        }
        return node instanceof Filter f ? f : null;
    }

    /** Whether {@code node} reads a target field, directly or through a correlated sub-query. */
    private static boolean readsRow(RexNode node, int fields) {
        boolean[] reads = {false};
        node.accept(new RexVisitorImpl<Void>(true) {
            @Override
            public Void visitInputRef(RexInputRef ref) {
                reads[0] |= ref.getIndex() < fields;
                return null;
            }

            @Override
            public Void visitCorrelVariable(RexCorrelVariable variable) {
                reads[0] = true;
                return null;
            }

            @Override
            public Void visitSubQuery(RexSubQuery subQuery) {
                if (!RelOptUtil.getVariablesUsed(subQuery.rel).isEmpty()) {
                    reads[0] = true;
                }
                return super.visitSubQuery(subQuery);
            }
        });
        return reads[0];
    }

    /** The largest boolean sub-expressions that read no target field. */
    private static void collectConstantParts(RexNode node, int fields, List<RexNode> out) {
        if (node.getType().getSqlTypeName() == SqlTypeName.BOOLEAN && !readsRow(node, fields)
                && (node instanceof RexCall || node instanceof RexLiteral || node instanceof RexDynamicParam)) {
            out.add(node);
            return;
        }
        if (node instanceof RexCall call && !(node instanceof RexSubQuery)) {
            call.getOperands().forEach(o -> collectConstantParts(o, fields, out));
        }
    }

    private static RexNode replace(RexNode condition, Map<RexNode, RexNode> values) {
        return condition.accept(new RexShuttle() {
            @Override
            public RexNode visitCall(RexCall call) {
                RexNode v = values.get(call);
                return v != null ? v : super.visitCall(call);
            }

            @Override
            public RexNode visitLiteral(RexLiteral literal) {
                RexNode v = values.get(literal);
                return v != null ? v : literal;
            }

            @Override
            public RexNode visitDynamicParam(RexDynamicParam param) {
                RexNode v = values.get(param);
                return v != null ? v : param;
            }
        });
    }

    /** {@code a IS NOT NULL AND b IS NOT NULL …}: only NULLs are dropped. */
    private static boolean nullsOnly(RexNode simplified) {
        List<RexNode> conjuncts = RelOptUtil.conjunctions(simplified);
        return !conjuncts.isEmpty() && conjuncts.stream().allMatch(c -> c.getKind() == SqlKind.IS_NOT_NULL);
    }

    private static boolean literalSensitive(RexNode condition, List<RexNode> constants) {
        for (RexNode conjunct : RelOptUtil.conjunctions(condition)) {
            if (constants.stream().anyMatch(c -> c == conjunct) || !holdsLiteral(conjunct, constants)) {
                continue;
            }
            if (conjunct.isA(SqlKind.COMPARISON) || conjunct.getKind() == SqlKind.LIKE) {
                List<RexNode> ops = ((RexCall) conjunct).getOperands();
                if (ops.size() == 2 && (isValue(ops.get(0)) && !holdsLiteral(ops.get(1), constants)
                        || isValue(ops.get(1)) && !holdsLiteral(ops.get(0), constants))) {
                    continue;
                }
            }
            return true;
        }
        return false;
    }

    /** A literal, possibly cast: one side of a plain comparison. */
    private static boolean isValue(RexNode node) {
        RexNode n = node;
        while (n.getKind() == SqlKind.CAST) {
            n = ((RexCall) n).getOperands().get(0);
        }
        return n instanceof RexLiteral;
    }

    /** Whether a literal appears in {@code node} outside its constant parts (those are tried both ways anyway). */
    private static boolean holdsLiteral(RexNode node, List<RexNode> constants) {
        boolean[] found = {false};
        node.accept(new RexVisitorImpl<Void>(true) {
            @Override
            public Void visitLiteral(RexLiteral literal) {
                found[0] |= constants.stream().noneMatch(c -> c == literal);
                return null;
            }

            @Override
            public Void visitCall(RexCall call) {
                if (constants.stream().anyMatch(c -> c == call)) {
                    return null;
                }
                return super.visitCall(call);
            }
        });
        return found[0];
    }
}
