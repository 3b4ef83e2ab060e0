package dev.veil.analysis.parser;

import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.parser.SqlParserPos;

import java.util.List;

/** EXPLAIN in both dialects; with ANALYZE the explained statement really runs. */
public final class VeilExplain extends VeilNode {
    public final boolean analyze;
    public final SqlNode statement;

    public VeilExplain(SqlParserPos pos, boolean analyze, SqlNode statement) {
        super(pos, "EXPLAIN");
        this.analyze = analyze;
        this.statement = statement;
    }

    @Override
    protected List<SqlNode> parts() {
        return List.of(statement);
    }
}
