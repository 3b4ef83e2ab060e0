package dev.veil.analysis.lineage;

import org.apache.calcite.plan.RelOptUtil;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.util.ImmutableBitSet;
import org.apache.calcite.util.Sarg;

import java.util.List;

/**
 * Which inputs of a filter or join condition are tested by something other than plain equality. A masked
 * column that may only be compared for equality ({@code filter: equality} in the policy) can confirm a guess
 * but not be narrowed down: {@code ssn = '123-45-6789'} is fine, {@code ssn LIKE '1%'} or
 * {@code substr(ssn, 1, 1) = '1'} is not. A term counts as equality only when one side is the input itself (no
 * cast: a cast to a shorter type truncates, which is a prefix test) and the other side reads no other input
 * of the same row or is an input itself (an equi-join). Everything else (ranges, LIKE, functions of the input,
 * CASE) makes each input it reads unequal.
 */
final class EqualityTerms {
    private EqualityTerms() {
    }

    /** The inputs {@code condition} reads other than through equality terms. */
    static ImmutableBitSet unequal(RexNode condition) {
        ImmutableBitSet.Builder out = ImmutableBitSet.builder();
        visit(condition, out);
        return out.build();
    }

    private static void visit(RexNode node, ImmutableBitSet.Builder out) {
        if (node instanceof RexCall call) {
            List<RexNode> ops = call.getOperands();
            switch (call.getKind()) {
                case AND, OR, NOT -> {
                    // NOT (ssn = x) and ssn <> x tell the same as the equality itself.
                    ops.forEach(o -> visit(o, out));
                    return;
                }
                case EQUALS, NOT_EQUALS, IS_NOT_DISTINCT_FROM, IS_DISTINCT_FROM -> {
                    RexNode l = ops.get(0);
                    RexNode r = ops.get(1);
                    if (l instanceof RexInputRef && (r instanceof RexInputRef || constant(r))
                            || r instanceof RexInputRef && constant(l)) {
                        return;
                    }
                }
                case IS_NULL, IS_NOT_NULL -> {
                    if (ops.get(0) instanceof RexInputRef) {
                        return;
                    }
                }
                case SEARCH -> {
                    // x IN (a, b) and x NOT IN (a, b) become a SEARCH over points; ranges are not equality.
                    if (ops.get(0) instanceof RexInputRef && ops.get(1) instanceof RexLiteral lit) {
                        Sarg<?> sarg = lit.getValueAs(Sarg.class);
                        if (sarg != null && (sarg.isPoints() || sarg.isComplementedPoints())) {
                            return;
                        }
                    }
                }
                default -> {
                }
            }
        }
        out.addAll(RelOptUtil.InputFinder.bits(node));
    }

    /** Reads no input of the row (a literal, a parameter, a function of those). */
    private static boolean constant(RexNode node) {
        return RelOptUtil.InputFinder.bits(node).isEmpty();
    }
}
