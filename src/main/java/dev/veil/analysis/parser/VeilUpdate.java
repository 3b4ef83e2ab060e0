package dev.veil.analysis.parser;

import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.checkerframework.checker.nullness.qual.Nullable;

import java.util.List;

/**
 * UPDATE in both dialects. {@code target} is a FROM-clause item: one table (with alias) in PostgreSQL, possibly a
 * join in MySQL's multi-table form; {@code from} is PostgreSQL's UPDATE … FROM list.
 */
public final class VeilUpdate extends VeilNode {
    public final SqlNode target;
    public final SqlNodeList targetColumns;
    public final SqlNodeList values;
    public final @Nullable SqlNode from;
    public final @Nullable SqlNode where;
    public final @Nullable SqlNodeList returning;

    public VeilUpdate(SqlParserPos pos, SqlNode target, SqlNodeList targetColumns, SqlNodeList values,
                      @Nullable SqlNode from, @Nullable SqlNode where, @Nullable SqlNodeList returning) {
        super(pos, "UPDATE");
        this.target = target;
        this.targetColumns = targetColumns;
        this.values = values;
        this.from = from;
        this.where = where;
        this.returning = returning;
    }

    @Override
    protected List<SqlNode> parts() {
        return nonNull(target, targetColumns, values, from, where, returning);
    }
}
