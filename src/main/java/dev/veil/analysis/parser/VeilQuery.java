package dev.veil.analysis.parser;

import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.checkerframework.checker.nullness.qual.Nullable;

import java.util.List;

/**
 * A top-level query with what Calcite's grammar has no place for: PostgreSQL's DISTINCT ON expressions (the query
 * itself then says plain DISTINCT) and a row-locking clause (FOR UPDATE / FOR SHARE … / LOCK IN SHARE MODE).
 */
public final class VeilQuery extends VeilNode {
    public final SqlNode query;
    public final @Nullable SqlNodeList distinctOn;
    public final @Nullable String locking;

    public VeilQuery(SqlParserPos pos, SqlNode query, @Nullable SqlNodeList distinctOn, @Nullable String locking) {
        super(pos, "QUERY");
        this.query = query;
        this.distinctOn = distinctOn;
        this.locking = locking;
    }

    @Override
    protected List<SqlNode> parts() {
        return nonNull(query, distinctOn);
    }
}
