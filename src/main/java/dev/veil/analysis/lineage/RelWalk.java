package dev.veil.analysis.lineage;

import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.RelVisitor;

import java.util.function.Consumer;

/** Visits every node of a plan, parents before children. */
public final class RelWalk {
    private RelWalk() {
    }

    public static void each(RelNode root, Consumer<RelNode> action) {
        new RelVisitor() {
            @Override
            public void visit(RelNode node, int ordinal, RelNode parent) {
                action.accept(node);
                super.visit(node, ordinal, parent);
            }
        }.go(root);
    }
}
