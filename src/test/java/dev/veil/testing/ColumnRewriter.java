package dev.veil.testing;

import dev.veil.rewrite.ResultColumn;
import dev.veil.rewrite.ResultRewriter;
import dev.veil.rewrite.ResultRow;
import io.vertx.core.buffer.Buffer;

import java.util.ArrayList;
import java.util.List;

/** A rewriter for tests: replaces every non-NULL value of the column of one name, and records what it was told. */
public final class ColumnRewriter implements ResultRewriter {
    private final String column;
    private final Buffer replacement;
    private final List<List<ResultColumn>> columns = new ArrayList<>();
    private final List<Boolean> completions = new ArrayList<>();
    private int index = -1;

    public ColumnRewriter(String column, Buffer replacement) {
        this.column = column;
        this.replacement = replacement;
    }

    @Override
    public void columns(List<ResultColumn> told) {
        columns.add(told);
        index = told.stream().map(ResultColumn::name).toList().indexOf(column);
    }

    @Override
    public ResultRow row(ResultRow row) {
        return index < 0 || row.isNull(index) ? row : row.with(index, replacement);
    }

    @Override
    public void complete(boolean error) {
        completions.add(error);
    }

    /** The column lists told, one per result set. */
    public List<List<ResultColumn>> columns() {
        return columns;
    }

    /** One entry per result that ended: whether it ended in an error. */
    public List<Boolean> completions() {
        return completions;
    }
}
