package dev.veil.frontend.pg;

import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;
import dev.veil.frontend.MaskedErrors;
import dev.veil.protocol.OwnedBytes;
import dev.veil.protocol.pg.DataRow;
import dev.veil.protocol.pg.ErrorResponse;
import dev.veil.protocol.pg.PgFrame;
import dev.veil.protocol.pg.RowDescription;
import dev.veil.rewrite.ResultColumn;
import dev.veil.rewrite.ResultRewriter;
import dev.veil.rewrite.ResultRow;
import io.vertx.core.buffer.Buffer;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * One statement's masking on the PostgreSQL wire: what each server frame of its answer becomes on the way to
 * the client. A RowDescription tells the rewriter the columns (and goes out unchanged); a DataRow goes out
 * rewritten, or not at all once the result is refused; the CommandComplete / PortalSuspended of a refused result
 * becomes the refusal's ErrorResponse (an error in place of a result's end is what a client expects of a query
 * failing midway). Rows of an Execute come without a RowDescription: their columns are the portal's
 * ({@code portalColumns}), told to the rewriter before its first row. Errors and notices are scrubbed of the
 * values they echo. A COPY ... TO STDOUT sent as a simple query is masked row by row ({@link PgCopyMask}); one run
 * through the extended protocol is refused: its data are dropped and the error takes the place of its
 * CommandComplete (an ErrorResponse may end a copy-out).
 */
final class PgResultMask {
    private static final Buffer NOTHING = Buffer.buffer(0);
    private final ResultRewriter rewriter;
    private final boolean scrub;
    private final Supplier<List<ResultColumn>> portalColumns;
    /** A simple query's COPY … TO STDOUT, masked row by row; null for any other statement. */
    private final PgCopyMask copy;
    /** The statement's own names, kept in scrubbed errors. */
    private Set<String> keep = Set.of();
    private boolean announced;
    private boolean copying;
    /** Result sets of a simple query so far: the plan describes one statement's result. */
    private int resultSets;
    private VeilException several;
    /** Where the values of the row at hand lie (reused row after row; a row handed on gets copies). */
    private int[] starts = new int[0];
    private int[] lengths = new int[0];

    /**
     * {@code scrub}: errors and notices are scrubbed (the statement's decision masks something);
     * {@code portalColumns}: the columns of an Execute's portal, or null for a simple query's results.
     */
    PgResultMask(ResultRewriter rewriter, boolean scrub, Supplier<List<ResultColumn>> portalColumns) {
        this(rewriter, scrub, portalColumns, null);
    }

    PgResultMask(ResultRewriter rewriter, boolean scrub, Supplier<List<ResultColumn>> portalColumns, PgCopyMask copy) {
        this.rewriter = rewriter;
        this.scrub = scrub;
        this.portalColumns = portalColumns;
        this.copy = copy;
    }

    /** Keeps the statement's own relation and column names ({@code MaskingPlan.identifiers}) in scrubbed errors. */
    PgResultMask keeping(Set<String> names) {
        keep = names;
        return this;
    }

    /** Whether rows of the answer may be rewritten or withheld (not only errors scrubbed). */
    boolean rewritesRows() {
        return rewriter != ResultRewriter.NONE;
    }

    /** What Veil sends upstream before the statement (the copy's Describe), in the same write; empty for nothing. */
    List<PgFrame> sentFirst() {
        return copy == null ? List.of() : copy.describeFirst();
    }

    /** An answer to {@link #sentFirst} (never relayed); true once the last of them is in. */
    boolean answeredFirst(PgFrame frame) {
        return copy.described(frame);
    }

    /** What goes to the client in place of {@code frame}: null for the frame as it came, an empty buffer for nothing. */
    Buffer rewrite(PgFrame frame) {
        boolean masks = rewriter != ResultRewriter.NONE;
        char t = frame.typeChar();
        if (copy != null && (t == 'H' || copy.copying() && t != 'N')) {
            Buffer out = copy.rewrite(frame);
            return t == 'E' && scrub ? scrubbed(frame, keep) : out;
        }
        switch (frame.typeChar()) {
            case 'T' -> {
                if (masks) {
                    announced = true;
                    rewriter.columns(columns(RowDescription.decode(frame)));
                    if (portalColumns == null && ++resultSets > 1) {
                        several = VeilException.error(ErrorCode.POLICY_DENIED, "masking: a text of several statements"
                                + " returns more than one result with masked columns, and Veil's plan describes one;"
                                + " the result is withheld (fail closed). Send the queries one at a time");
                    }
                }
                return null;
            }
            case 'D' -> {
                return masks ? row(frame) : null;
            }
            case 'H' -> {
                copying = masks;
                return null;
            }
            case 'd', 'c' -> {
                return copying ? NOTHING : null;
            }
            case 's' -> {
                return masks ? refusalOr(several != null ? several : rewriter.refusal(), null) : null;
            }
            case 'C', 'I' -> {
                if (!masks) {
                    return null;
                }
                VeilException refusal = copying ? copyRefused() : several != null ? several : rewriter.refusal();
                copying = false;
                announced = false;
                rewriter.complete(false);
                return refusalOr(refusal, null);
            }
            case 'E', 'N' -> {
                if (frame.type() == 'E' && masks) {
                    copying = false;
                    announced = false;
                    rewriter.complete(true);
                }
                return scrub ? scrubbed(frame, keep) : null;
            }
            default -> {
                return null;
            }
        }
    }

    private Buffer row(PgFrame frame) {
        if (!announced && portalColumns != null) {
            announced = true;
            List<ResultColumn> columns = portalColumns.get();
            if (columns != null) {
                rewriter.columns(columns);
            }
        }
        if (several != null) {
            return NOTHING;
        }
        // A copy of the row, which the rewriter may change where it lies; the buffer wrapping it is what goes out.
        byte[] copy = new byte[frame.length()];
        frame.source().getBytes(frame.start(), frame.end(), copy, 0);
        Buffer own = OwnedBytes.wrap(copy);
        int count = DataRow.count(copy);
        if (starts.length != count) {
            starts = new int[count];
            lengths = new int[count];
        }
        DataRow.positions(copy, starts, lengths);
        if (rewriter.rewriteInPlace(copy, starts, lengths)) {
            return own;
        }
        ResultRow row = ResultRow.slices(own, starts.clone(), lengths.clone());
        ResultRow sent = rewriter.row(row);
        if (sent == null) {
            return NOTHING;
        }
        return sent == row ? null : DataRow.encode(sent.size(), sent::length, sent::copyValue);
    }

    private static Buffer refusalOr(VeilException refusal, Buffer otherwise) {
        return refusal == null ? otherwise : ErrorResponse.of(refusal).encode();
    }

    private static VeilException copyRefused() {
        return VeilException.error(ErrorCode.POLICY_DENIED, "masking: COPY ... TO STDOUT of masked columns through the "
                + "extended protocol is refused (Veil masks the copy data of a simple query only); the copy's data were "
                + "withheld. Send the COPY as a simple query (psql's \\copy, pgjdbc's CopyManager do), or use SELECT");
    }

    private static Buffer scrubbed(PgFrame frame, Set<String> keep) {
        Map<Character, String> fields = new LinkedHashMap<>(ErrorResponse.decode(frame).fields());
        MaskedErrors.scrubPostgres(fields, keep);
        Buffer encoded = new ErrorResponse(fields).encode();
        encoded.setByte(0, frame.type()); // a NoticeResponse has the same layout
        return encoded;
    }

    static List<ResultColumn> columns(RowDescription description) {
        return description.fields().stream().map(f -> ResultColumn.postgres(f.name(), f.typeOid(), f.typeModifier(),
                f.binary() ? ResultColumn.Format.BINARY : ResultColumn.Format.TEXT)).toList();
    }
}
