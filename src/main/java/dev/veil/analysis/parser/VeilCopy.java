package dev.veil.analysis.parser;

import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.checkerframework.checker.nullness.qual.Nullable;

import java.util.List;

/**
 * PostgreSQL COPY. Exactly one of {@code query} and {@code table} is set. {@code endpoint} is what follows
 * TO/FROM: STDIN, STDOUT, PROGRAM or FILE (a server-side path).
 */
public final class VeilCopy extends VeilNode {
    public enum Endpoint { STDIN, STDOUT, PROGRAM, FILE }

    public final @Nullable SqlNode query;
    public final @Nullable SqlIdentifier table;
    public final @Nullable SqlNodeList columns;
    public final boolean into;
    public final Endpoint endpoint;

    public VeilCopy(SqlParserPos pos, @Nullable SqlNode query, @Nullable SqlIdentifier table,
                    @Nullable SqlNodeList columns, boolean into, Endpoint endpoint) {
        super(pos, "COPY");
        this.query = query;
        this.table = table;
        this.columns = columns;
        this.into = into;
        this.endpoint = endpoint;
    }

    @Override
    protected List<SqlNode> parts() {
        return nonNull(query, table, columns);
    }
}
