package dev.veil.analysis;

import org.apache.calcite.sql.SqlBasicTypeNameSpec;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlDataTypeSpec;
import org.apache.calcite.sql.SqlDynamicParam;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlOrderBy;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.type.SqlTypeName;
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
    private static final SqlCopy INSTANCE = new SqlCopy(false);
    private static final SqlCopy TYPING = new SqlCopy(true);

    private final boolean typeParameters;

    private SqlCopy(boolean typeParameters) {
        this.typeParameters = typeParameters;
    }

    /** A copy in which every parameter outside OFFSET / FETCH / LIMIT is {@code CAST(? AS VARCHAR)}. */
    static <T extends SqlNode> @Nullable T typingParameters(@Nullable T node) {
        @SuppressWarnings("unchecked")
        T copy = node == null ? null : (T) node.accept(TYPING);
        return copy;
    }

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
    public SqlNode visit(SqlDynamicParam param) {
        if (!typeParameters) {
            return param;
        }
        return SqlStdOperatorTable.CAST.createCall(param.getParserPosition(), param,
                new SqlDataTypeSpec(new SqlBasicTypeNameSpec(
                        SqlTypeName.VARCHAR, param.getParserPosition()),
                        param.getParserPosition()));
    }

    @Override
    public @Nullable SqlNode visit(SqlCall call) {
        if (call.getKind() == SqlKind.DEFAULT) {
            return SqlLiteral.createNull(call.getParserPosition());
        }
        if (typeParameters && (call instanceof SqlSelect || call instanceof SqlOrderBy)) {
            // OFFSET and FETCH take a parameter as it is.
            List<SqlNode> operands = call.getOperandList();
            int fetchFrom = operands.size() - (call instanceof SqlSelect ? 3 : 2);
            SqlNode[] copied = new SqlNode[operands.size()];
            for (int i = 0; i < operands.size(); i++) {
                SqlNode o = operands.get(i);
                boolean keep = i >= fetchFrom && (call instanceof SqlOrderBy || i < operands.size() - 1);
                copied[i] = o == null ? null : keep ? o.accept(INSTANCE) : o.accept(this);
            }
            return call.getOperator().createCall(call.getFunctionQuantifier(), call.getParserPosition(), copied);
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
