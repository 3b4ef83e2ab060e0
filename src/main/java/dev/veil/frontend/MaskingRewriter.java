package dev.veil.frontend;

import dev.veil.analysis.Dialect;
import dev.veil.classification.ValueScan;
import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;
import dev.veil.masking.ColumnType;
import dev.veil.masking.MaskFunctions;
import dev.veil.masking.MySqlColumnTypes;
import dev.veil.masking.PgColumnTypes;
import dev.veil.policy.MaskingPlan;
import dev.veil.rewrite.ResultColumn;
import dev.veil.rewrite.ResultRewriter;
import dev.veil.rewrite.ResultRow;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A statement's {@link MaskingPlan} applied to its result, on either wire: each masked column gets its
 * {@link ColumnType} from the column's description (which goes out unchanged), and each of its values goes
 * through {@link MaskFunctions#apply}. A column marked {@code scan} (lineage unknown, the policy's value-scan
 * backstop) is masked only in the rows where the classifier's detectors recognise its value.
 *
 * <p>Fails closed: a result whose width is not the one the plan was made for, a masked column the result does
 * not have, or rows without a known description are refused with 42501 / 1142, and none of their rows leave.
 * One instance per result set stream of one statement: {@link #columns} starts each result set afresh.
 */
public final class MaskingRewriter implements ResultRewriter {
    private final MaskingPlan plan;
    private final MaskFunctions functions;
    private final Dialect dialect;
    /** The result positions of {@code plan.columns()}, in its order. */
    private final int[] maskedColumns;
    /** Per masked column, the x's {@link #rewriteInPlace} writes in the row at hand (reused row after row). */
    private final int[] prefixes;
    private ColumnType[] types;
    private VeilException refusal;
    private List<ResultColumn> lastColumns;
    /** Result sets told so far: the plan describes one statement's result, a second one cannot be mapped onto it. */
    private int resultSets;

    public MaskingRewriter(MaskingPlan plan, MaskFunctions functions, Dialect dialect) {
        this.plan = plan;
        this.functions = functions;
        this.dialect = dialect;
        this.maskedColumns = plan.columns().stream().mapToInt(MaskingPlan.ColumnMask::index).toArray();
        this.prefixes = new int[maskedColumns.length];
    }

    /** The rewriter of {@code plan}'s results, or {@link ResultRewriter#NONE} when it masks nothing. */
    public static ResultRewriter of(MaskingPlan plan, MaskFunctions functions, Dialect dialect) {
        return plan == null || !plan.masksResults() ? ResultRewriter.NONE : new MaskingRewriter(plan, functions, dialect);
    }

    public MaskingPlan plan() {
        return plan;
    }

    /** The rows that follow (a MySQL COM_STMT_FETCH) belong to the result set told last, read on where it stopped. */
    public void resume() {
        resultSets = 0;
        columns(lastColumns);
    }

    /** The columns of the result set told last (kept after it ends: a MySQL cursor's fetches bring rows without them). */
    public List<ResultColumn> lastColumns() {
        return lastColumns;
    }

    @Override
    public void columns(List<ResultColumn> columns) {
        lastColumns = columns;
        refusal = null;
        types = null;
        if (++resultSets > 1) {
            refusal = refused("the statement returns more than one result set and the plan describes one; send the"
                    + " statements one at a time");
            return;
        }
        if (plan.resultColumns() >= 0 && columns.size() != plan.resultColumns()) {
            refusal = refused("the result has " + columns.size() + " columns where the statement's analysis expects "
                    + plan.resultColumns() + ", so Veil cannot tell which of them are masked");
            return;
        }
        ColumnType[] made = new ColumnType[columns.size()];
        for (MaskingPlan.ColumnMask mask : plan.columns()) {
            if (mask.index() < 0 || mask.index() >= columns.size()) {
                refusal = refused("masked column " + mask.name() + " (position " + (mask.index() + 1)
                        + ") is not in the result of " + columns.size() + " columns");
                return;
            }
            made[mask.index()] = type(columns.get(mask.index()));
        }
        types = made;
    }

    @Override
    public ResultRow row(ResultRow row) {
        if (refusal == null && types == null) {
            // Rows whose description Veil never saw (a portal run without a Describe Veil followed).
            refusal = refused("Veil has not seen the description of the result's columns, so it cannot mask them;"
                    + " describe the statement or portal before executing it");
        }
        if (refusal == null && row.size() != types.length) {
            refusal = refused("a row has " + row.size() + " values where the result described " + types.length);
        }
        if (refusal != null) {
            return null;
        }
        List<MaskingPlan.ColumnMask> masks = plan.columns();
        byte[][] masked = new byte[masks.size()][];
        boolean changed = false;
        for (int k = 0; k < masked.length; k++) {
            MaskingPlan.ColumnMask mask = masks.get(k);
            int i = mask.index();
            byte[] value = row.bytes(i);
            if (value == null || (mask.scan() && !recognised(types[i], value))) {
                masked[k] = value; // goes out as it came (NULL, or a copy of the same bytes)
            } else {
                masked[k] = functions.apply(mask.masker(), types[i], value);
                changed = true;
            }
        }
        // An unchanged row is the server's message, relayed as it came.
        return changed ? row.replacing(maskedColumns, masked) : row;
    }

    @Override
    public boolean rewriteInPlace(byte[] message, int[] starts, int[] lengths) {
        if (refusal != null || types == null || starts.length != types.length) {
            return false; // row() says why
        }
        List<MaskingPlan.ColumnMask> masks = plan.columns();
        // Every value is checked before any is changed: a row that falls back to row() must still be the server's.
        for (int k = 0; k < prefixes.length; k++) {
            MaskingPlan.ColumnMask mask = masks.get(k);
            int i = mask.index();
            if (starts[i] < 0) {
                prefixes[k] = 0;
                continue;
            }
            if (mask.scan()) {
                return false;
            }
            prefixes[k] = functions.maskedPrefix(mask.masker(), types[i], message, starts[i], lengths[i]);
            if (prefixes[k] < 0) {
                return false;
            }
        }
        for (int k = 0; k < prefixes.length; k++) {
            int i = maskedColumns[k];
            if (starts[i] >= 0) {
                functions.maskPrefix(message, starts[i], prefixes[k]);
            }
        }
        return true;
    }

    @Override
    public VeilException refusal() {
        return refusal;
    }

    @Override
    public void complete(boolean error) {
        // The next result set of the same statement (a multi-statement text, MySQL's multi-results) is checked afresh.
        types = null;
        refusal = null;
    }

    private ColumnType type(ResultColumn c) {
        boolean binary = c.format() == ResultColumn.Format.BINARY;
        if (dialect == Dialect.POSTGRESQL) {
            return PgColumnTypes.of(c.typeId(), c.typeModifier(), binary ? 1 : 0);
        }
        return MySqlColumnTypes.of(c.typeId(), c.length(), c.flags(), c.charset(), c.decimals(), binary, c.typeName());
    }

    /** The scan backstop reads text values; a binary number or date cannot hold what the detectors look for. */
    private static boolean recognised(ColumnType type, byte[] value) {
        boolean textual = type.kind() == ColumnType.Kind.TEXT || type.kind() == ColumnType.Kind.JSON
                || type.wire() == ColumnType.Wire.PG_TEXT || type.wire() == ColumnType.Wire.MYSQL_TEXT;
        return textual && ValueScan.recognise(new String(value, StandardCharsets.UTF_8)) != null;
    }

    private static VeilException refused(String why) {
        return VeilException.error(ErrorCode.POLICY_DENIED, "masking: " + why + "; the result is withheld (fail closed)."
                + " Select the columns by name, without SELECT * over a changed table, or ask an administrator");
    }
}
