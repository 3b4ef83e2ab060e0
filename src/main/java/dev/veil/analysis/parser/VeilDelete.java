package dev.veil.analysis.parser;

import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.checkerframework.checker.nullness.qual.Nullable;

import java.util.List;

/**
 * DELETE in both dialects. {@code targets} lists MySQL's multi-table targets ({@code DELETE a, b FROM …});
 * when it is empty the target is the first table of {@code from}. {@code using} is PostgreSQL's USING list or
 * MySQL's {@code DELETE FROM a, b USING …} source.
 */
public final class VeilDelete extends VeilNode {
    public final SqlNodeList targets;
    public final SqlNode from;
    public final @Nullable SqlNode using;
    public final @Nullable SqlNode where;
    public final @Nullable SqlNodeList returning;

    public VeilDelete(SqlParserPos pos, SqlNodeList targets, SqlNode from, @Nullable SqlNode using,
                      @Nullable SqlNode where, @Nullable SqlNodeList returning) {
        super(pos, "DELETE");
        this.targets = targets;
        this.from = from;
        this.using = using;
        this.where = where;
        this.returning = returning;
    }

    @Override
    protected List<SqlNode> parts() {
        return nonNull(targets, from, using, where, returning);
    }
}
