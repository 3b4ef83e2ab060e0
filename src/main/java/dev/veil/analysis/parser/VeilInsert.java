package dev.veil.analysis.parser;

import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.checkerframework.checker.nullness.qual.Nullable;

import java.util.List;

/**
 * INSERT / REPLACE in both dialects: PostgreSQL's ON CONFLICT and RETURNING, MySQL's IGNORE, INSERT … SET and
 * ON DUPLICATE KEY UPDATE. {@code source} is null for DEFAULT VALUES.
 */
public final class VeilInsert extends VeilNode {
    /** ON CONFLICT … DO NOTHING / DO UPDATE SET, or ON DUPLICATE KEY UPDATE (then {@code doNothing} is false). */
    public record Conflict(boolean doNothing, SqlNodeList targetColumns, SqlNodeList values, @Nullable SqlNode where) {
    }

    public final boolean replace;
    public final boolean ignore;
    public final SqlIdentifier target;
    public final @Nullable SqlIdentifier alias;
    public final @Nullable SqlNodeList columns;
    public final @Nullable SqlNode source;
    public final @Nullable Conflict conflict;
    public final @Nullable SqlNodeList returning;

    public VeilInsert(SqlParserPos pos, boolean replace, boolean ignore, SqlIdentifier target, @Nullable SqlIdentifier alias,
                      @Nullable SqlNodeList columns, @Nullable SqlNode source, @Nullable Conflict conflict,
                      @Nullable SqlNodeList returning) {
        super(pos, replace ? "REPLACE" : "INSERT");
        this.replace = replace;
        this.ignore = ignore;
        this.target = target;
        this.alias = alias;
        this.columns = columns;
        this.source = source;
        this.conflict = conflict;
        this.returning = returning;
    }

    @Override
    protected List<SqlNode> parts() {
        return nonNull(target, columns, source, returning);
    }
}
