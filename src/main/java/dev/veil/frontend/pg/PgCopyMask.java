package dev.veil.frontend.pg;

import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;
import dev.veil.protocol.pg.CopyDataRow;
import dev.veil.protocol.pg.CopyFormat;
import dev.veil.protocol.pg.ErrorResponse;
import dev.veil.protocol.pg.PgFrame;
import dev.veil.protocol.pg.RowDescription;
import dev.veil.rewrite.ResultColumn;
import dev.veil.rewrite.ResultRewriter;
import dev.veil.rewrite.ResultRow;
import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code COPY … TO STDOUT} (simple query) under a masking plan: its rows masked like a query's. The copy's
 * answer says nothing of its columns' types, so Veil asks the server first: Parse of the copy's query (or of
 * {@code SELECT cols FROM table}) as the unnamed statement, Describe, Sync, sent just before the client's Query
 * (a simple Query discards the unnamed statement anyway). Their answers are Veil's ({@link #described}); the
 * RowDescription gives each column's type in text format. Then each CopyData row is split by the copy's format
 * ({@link PgCopyStatement}), handed to the rewriter as a row of text values, and written again: the fields the
 * rewriter left alone keep the server's bytes, a masked one is written as COPY writes it (quoted again if it was).
 *
 * <p>PostgreSQL sends one row per CopyData in a COPY TO (and the header, when asked, as its first). Veil relies on
 * it and fails closed when a CopyData does not end with a newline. Refused (42501 in place of the CommandComplete,
 * the copy data from there on dropped): binary COPY, options Veil does not read, a copy whose column count or
 * description differs from the plan's, a server that would not describe the query.
 */
final class PgCopyMask {
    private static final Buffer NOTHING = Buffer.buffer(0);

    private final PgCopyStatement statement;
    private final ResultRewriter rewriter;
    private List<ResultColumn> columns;
    private String describeError;
    private VeilException refusal;
    private boolean headerDue;
    private boolean copying;

    PgCopyMask(PgCopyStatement statement, ResultRewriter rewriter) {
        this.statement = statement;
        this.rewriter = rewriter;
        if (statement.problem() != null) {
            refusal = refused(statement.problem());
        }
    }

    /** What Veil sends upstream just before the client's Query: Parse, Describe and Sync of the unnamed statement. */
    List<PgFrame> describeFirst() {
        if (refusal != null) {
            return List.of();
        }
        List<PgFrame> out = new ArrayList<>();
        out.add(frame('P', Buffer.buffer().appendByte((byte) 0).appendBuffer(cstring(statement.describeSql()))
                .appendShort((short) 0)));
        out.add(frame('D', Buffer.buffer().appendByte((byte) 'S').appendByte((byte) 0)));
        out.add(frame('S', Buffer.buffer()));
        return out;
    }

    /** One answer to {@link #describeFirst} (never relayed); true once its ReadyForQuery is in. */
    boolean described(PgFrame frame) {
        switch (frame.typeChar()) {
            case 'T' -> columns = PgResultMask.columns(RowDescription.decode(frame));
            case 'n' -> columns = List.of();
            case 'E' -> describeError = describeError == null ? ErrorResponse.decode(frame).message() : describeError;
            case 'Z' -> {
                return true;
            }
            default -> { }
        }
        return false;
    }

    boolean copying() {
        return copying;
    }

    /** What a frame of the copy's answer becomes: null for as it came, an empty buffer for nothing. */
    Buffer rewrite(PgFrame frame) {
        switch (frame.typeChar()) {
            case 'H' -> {
                copying = true;
                begin(frame);
                return null;
            }
            case 'd' -> {
                return refusal != null ? NOTHING : row(frame);
            }
            case 'c' -> {
                return refusal != null ? NOTHING : null;
            }
            case 'C' -> {
                copying = false;
                rewriter.complete(false);
                return refusal == null ? null : ErrorResponse.of(refusal).encode();
            }
            default -> {
                copying = false;
                return null;
            }
        }
    }

    /** CopyOutResponse: overall format (0 textual, 1 binary), column count, each column's format. */
    private void begin(PgFrame frame) {
        if (refusal != null) {
            return;
        }
        Buffer body = frame.body();
        int count = body.getUnsignedShort(1);
        if (body.getByte(0) != 0) {
            refusal = refused("binary COPY has no textual rows Veil can mask; use FORMAT text or csv");
        } else if (columns == null) {
            refusal = refused("the server did not describe the copy's columns"
                    + (describeError == null ? "" : " (" + describeError + ")"));
        } else if (count != columns.size()) {
            refusal = refused("the copy has " + count + " columns where its query has " + columns.size()
                    + " (generated columns?); name the columns to copy");
        } else {
            rewriter.columns(columns);
            refusal = rewriter.refusal();
            headerDue = statement.format().header();
        }
    }

    private Buffer row(PgFrame frame) {
        Buffer body = frame.body();
        byte[] bytes = body.getBytes();
        int length = bytes.length - 1;
        if (length < 0 || bytes[length] != '\n') {
            refusal = refused("a CopyData message does not end a row (Veil reads one row per message, as PostgreSQL"
                    + " sends them)");
            return NOTHING;
        }
        if (headerDue) {
            headerDue = false; // the column names
            return null;
        }
        CopyFormat format = statement.format();
        List<CopyDataRow.Field> fields;
        try {
            fields = CopyDataRow.split(bytes, length, format);
        } catch (IllegalArgumentException e) {
            refusal = refused("a copy row does not read as " + (format.csv() ? "CSV" : "text") + ": " + e.getMessage());
            return NOTHING;
        }
        Buffer[] values = new Buffer[fields.size()];
        for (int i = 0; i < values.length; i++) {
            byte[] v = fields.get(i).value();
            values[i] = v == null ? null : Buffer.buffer(v);
        }
        ResultRow row = ResultRow.of(values);
        ResultRow sent = rewriter.row(row);
        if (sent == null) {
            refusal = rewriter.refusal();
            return NOTHING;
        }
        if (sent == row) {
            return null;
        }
        Buffer out = Buffer.buffer(bytes.length + 16);
        for (int i = 0; i < values.length; i++) {
            CopyDataRow.Field f = fields.get(i);
            if (i > 0) {
                out.appendByte(format.delimiter());
            }
            if (sent.value(i) == row.value(i)) {
                out.appendBytes(bytes, f.start(), f.end() - f.start());
            } else {
                Buffer v = sent.value(i);
                CopyDataRow.appendField(out, v == null ? null : v.getBytes(), f.quoted(), values.length == 1, format);
            }
        }
        out.appendByte((byte) '\n');
        return CopyDataRow.message(out);
    }

    private static VeilException refused(String why) {
        return VeilException.error(ErrorCode.POLICY_DENIED, "masking: COPY … TO STDOUT of masked columns: " + why
                + "; the copy's data were withheld (fail closed)");
    }

    private static Buffer cstring(String s) {
        return Buffer.buffer(s.getBytes(StandardCharsets.UTF_8)).appendByte((byte) 0);
    }

    private static PgFrame frame(char type, Buffer body) {
        return PgFrame.of(Buffer.buffer(PgFrame.HEADER + body.length()).appendByte((byte) type).appendInt(4 + body.length())
                .appendBuffer(body));
    }
}
