package dev.veil.analysis.parser;

import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlOperator;
import org.apache.calcite.sql.SqlSpecialOperator;
import org.apache.calcite.sql.SqlWriter;
import org.apache.calcite.sql.parser.SqlParserPos;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Base of the statement nodes our grammar adds. They are never handed to Calcite's validator as they are: the
 * analyzer takes them apart into standard queries (a RETURNING list becomes a SELECT over the target, an UPDATE's
 * assignments a SELECT over its sources), so they only need to carry their parts.
 */
public abstract class VeilNode extends SqlCall {
    private final SqlOperator operator;

    protected VeilNode(SqlParserPos pos, String name) {
        super(pos);
        this.operator = new SqlSpecialOperator(name, SqlKind.OTHER);
    }

    @Override
    public SqlOperator getOperator() {
        return operator;
    }

    /** The standard SQL parts this node holds (for tree walks), without nulls. */
    protected abstract List<SqlNode> parts();

    @Override
    public List<SqlNode> getOperandList() {
        return parts();
    }

    protected static List<SqlNode> nonNull(SqlNode... nodes) {
        List<SqlNode> out = new ArrayList<>();
        Arrays.stream(nodes).filter(Objects::nonNull).forEach(out::add);
        return out;
    }

    @Override
    public void unparse(SqlWriter writer, int leftPrec, int rightPrec) {
        writer.keyword(operator.getName());
        for (SqlNode part : parts()) {
            part.unparse(writer, 0, 0);
        }
    }
}
