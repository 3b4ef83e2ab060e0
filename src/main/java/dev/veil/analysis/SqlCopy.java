package dev.veil.analysis;

import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.util.SqlShuttle;
import org.checkerframework.checker.nullness.qual.Nullable;

import java.util.ArrayList;
import java.util.List;

/**
 * Deep copies of parse-tree parts. Calcite's validator rewrites the tree it validates, and one statement is
 * validated as several derived queries (an UPDATE's assignments, its RETURNING list), so each gets its own copy.
 * DEFAULT (a column's default value, never table data) becomes NULL, which validates anywhere.
 */
final class SqlCopy extends SqlShuttle {
    private static final SqlCopy INSTANCE = new SqlCopy();

    static <T extends SqlNode> @Nullable T of(@Nullable T node) {
        @SuppressWarnings("unchecked")
        T copy = node == null ? null : (T) node.accept(INSTANCE);
        return copy;
    }

    static List<SqlNode> all(List<SqlNode> nodes) {
        List<SqlNode> out = new ArrayList<>();
        nodes.forEach(n -> out.add(of(n)));
        return out;
    }

    @Override
    public @Nullable SqlNode visit(SqlCall call) {
        if (call.getKind() == SqlKind.DEFAULT) {
            return SqlLiteral.createNull(call.getParserPosition());
        }
        CallCopyingArgHandler handler = new CallCopyingArgHandler(call, true);
        call.getOperator().acceptCall(this, call, false, handler);
        return handler.result();
    }

    @Override
    public SqlNode visit(SqlNodeList nodeList) {
        List<SqlNode> out = new ArrayList<>();
        for (SqlNode n : nodeList) {
            out.add(n == null ? null : n.accept(this));
        }
        return new SqlNodeList(out, nodeList.getParserPosition());
    }
}
