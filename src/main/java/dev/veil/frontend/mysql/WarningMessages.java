package dev.veil.frontend.mysql;

import dev.veil.analysis.Analysis;
import dev.veil.frontend.MaskedErrors;
import dev.veil.rewrite.ResultColumn;
import dev.veil.rewrite.ResultRewriter;
import dev.veil.rewrite.ResultRow;
import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The answer of SHOW WARNINGS / SHOW ERRORS for a session under masking: the server's messages quote the values
 * an earlier statement choked on ({@code Truncated incorrect INTEGER value: 'a@b.c'} after
 * {@code CAST(email AS SIGNED)}), so a value masked in that statement's rows would come back here. The Message
 * column is scrubbed as errors are ({@link MaskedErrors#scrubMySql}); Level and Code stay.
 */
final class WarningMessages implements ResultRewriter {
    private int message = -1;

    /** Whether the statement reads the session's warnings or errors with their messages (its analysis's command words). */
    static boolean reads(Analysis analysis) {
        if (analysis == null) {
            return false;
        }
        List<String> words = analysis.effects().command();
        return words.size() >= 2 && words.get(0).equals("SHOW")
                && (words.get(1).equals("WARNINGS") || words.get(1).equals("ERRORS"));
    }

    @Override
    public void columns(List<ResultColumn> columns) {
        message = -1;
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equalsIgnoreCase("Message")) {
                message = i;
            }
        }
    }

    @Override
    public ResultRow row(ResultRow row) {
        if (message < 0 || message >= row.size() || row.isNull(message)) {
            return row;
        }
        String text = row.text(message);
        String scrubbed = MaskedErrors.scrubMySql(text);
        return scrubbed.equals(text) ? row : row.with(message, Buffer.buffer(scrubbed.getBytes(StandardCharsets.UTF_8)));
    }
}
