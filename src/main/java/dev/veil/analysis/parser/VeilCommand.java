package dev.veil.analysis.parser;

import dev.veil.analysis.StatementKind;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.checkerframework.checker.nullness.qual.Nullable;

import java.util.ArrayList;
import java.util.List;

/**
 * A statement whose kind is all that matters to policy (transaction control, SET / SHOW / USE, DDL, GRANT …).
 * {@code words} are its leading words in upper case; {@code objects} the relations it names; {@code expressions}
 * the value expressions it carries (MySQL {@code SET @v = (SELECT …)} reads data); {@code query} the query of a
 * CREATE TABLE / VIEW … AS.
 */
public final class VeilCommand extends VeilNode {
    public final StatementKind kind;
    public final List<String> words;
    public final List<SqlIdentifier> objects;
    public final List<SqlNode> expressions;
    public final @Nullable SqlNode query;

    public VeilCommand(SqlParserPos pos, StatementKind kind, List<String> words, List<SqlIdentifier> objects,
                       List<SqlNode> expressions, @Nullable SqlNode query) {
        super(pos, words.isEmpty() ? "COMMAND" : words.get(0));
        this.kind = kind;
        this.words = List.copyOf(words);
        this.objects = List.copyOf(objects);
        this.expressions = List.copyOf(expressions);
        this.query = query;
    }

    /** True when the CREATE … AS query creates a table (data is copied), false for a view. */
    public boolean createsTable() {
        return query != null && words.contains("TABLE") && !words.contains("VIEW");
    }

    @Override
    protected List<SqlNode> parts() {
        List<SqlNode> out = new ArrayList<>(objects);
        out.addAll(expressions);
        if (query != null) {
            out.add(query);
        }
        return out;
    }
}
