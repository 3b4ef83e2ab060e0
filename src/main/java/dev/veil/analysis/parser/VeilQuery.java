package dev.veil.analysis.parser;

import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.checkerframework.checker.nullness.qual.Nullable;

import java.util.List;

/**
 * A top-level query with what Calcite's grammar has no place for: PostgreSQL's DISTINCT ON expressions (the query
 * itself then says plain DISTINCT), a row-locking clause (FOR UPDATE / FOR SHARE … / LOCK IN SHARE MODE) and
 * MySQL's INTO OUTFILE / DUMPFILE / variables.
 */
public final class VeilQuery extends VeilNode {
    public final SqlNode query;
    public final @Nullable SqlNodeList distinctOn;
    public final @Nullable String locking;
    /** MySQL's SELECT … INTO: the rows go to a server file or into variables instead of (only) to the client. */
    public final @Nullable Into into;

    public enum Into {
        FILE, VARIABLES
    }

    public VeilQuery(SqlParserPos pos, SqlNode query, @Nullable SqlNodeList distinctOn, @Nullable String locking,
                     @Nullable Into into) {
        super(pos, "QUERY");
        this.query = query;
        this.distinctOn = distinctOn;
        this.locking = locking;
        this.into = into;
    }

    @Override
    protected List<SqlNode> parts() {
        return nonNull(query, distinctOn);
    }
}
