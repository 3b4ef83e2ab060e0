package dev.veil.frontend;

import dev.veil.analysis.Dialect;
import dev.veil.masking.MaskFunctions;
import dev.veil.masking.Masker;
import dev.veil.policy.MaskingPlan;
import dev.veil.protocol.pg.DataRow;
import dev.veil.protocol.pg.PgFrame;
import dev.veil.rewrite.ResultColumn;
import dev.veil.rewrite.ResultRewriter;
import dev.veil.rewrite.ResultRow;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** A masking plan applied to decoded rows: masked columns, the scan backstop, and the results it refuses. */
class MaskingRewriterTest {
    private static final MaskFunctions FUNCTIONS = new MaskFunctions("a-test-pseudonym-secret".getBytes(StandardCharsets.UTF_8));
    private static final int TEXT = 25;
    private static final List<ResultColumn> TWO_TEXT = List.of(
            ResultColumn.postgres("id", TEXT, -1, ResultColumn.Format.TEXT),
            ResultColumn.postgres("note", TEXT, -1, ResultColumn.Format.TEXT));

    private static MaskingPlan plan(boolean scan, int width) {
        return new MaskingPlan(List.of(new MaskingPlan.ColumnMask(1, "note", List.of("email"), Masker.parse("redact"), scan)),
                width);
    }

    private static ResultRow row(String id, String note) {
        return ResultRow.of(Buffer.buffer(id), Buffer.buffer(note));
    }

    @Test
    void aPlanWithoutMaskedColumnsLeavesTheRelayOnItsCopyFreePath() {
        assertThat(MaskingRewriter.of(MaskingPlan.NONE, FUNCTIONS, Dialect.POSTGRESQL)).isSameAs(ResultRewriter.NONE);
        assertThat(MaskingRewriter.of(MaskingPlan.of(List.of(new MaskingPlan.Directive("email", "redact"))), FUNCTIONS,
                Dialect.POSTGRESQL)).isSameAs(ResultRewriter.NONE);
    }

    @Test
    void onlyTheMaskedColumnChanges() {
        ResultRewriter r = MaskingRewriter.of(plan(false, 2), FUNCTIONS, Dialect.POSTGRESQL);
        r.columns(TWO_TEXT);
        ResultRow out = r.row(row("7", "some note"));
        assertThat(out.text(0)).isEqualTo("7");
        assertThat(out.text(1)).isNotEqualTo("some note").matches("x+");
    }

    @Test
    void aScanColumnIsMaskedOnlyWhereADetectorRecognisesTheValue() {
        ResultRewriter r = MaskingRewriter.of(plan(true, 2), FUNCTIONS, Dialect.POSTGRESQL);
        r.columns(TWO_TEXT);
        ResultRow plain = row("1", "see you tomorrow");
        assertThat(r.row(plain)).isSameAs(plain);
        assertThat(r.row(row("2", "alice@example.com")).text(1)).isNotEqualTo("alice@example.com").matches("x+");
    }

    @Test
    void aResultOfAnotherWidthOrWithoutADescriptionIsRefused() {
        ResultRewriter wide = MaskingRewriter.of(plan(false, 3), FUNCTIONS, Dialect.POSTGRESQL);
        wide.columns(TWO_TEXT);
        assertThat(wide.refusal()).isNotNull();
        assertThat(wide.refusal().code().sqlState()).isEqualTo("42501");
        assertThat(wide.row(row("1", "x"))).isNull();

        ResultRewriter undescribed = MaskingRewriter.of(plan(false, 2), FUNCTIONS, Dialect.POSTGRESQL);
        assertThat(undescribed.row(row("1", "x"))).isNull();
        assertThat(undescribed.refusal().getMessage()).contains("description");
    }

    @Test
    void aSecondResultSetOfTheSameStatementIsRefusedButACursorsNextRowsAreNot() {
        MaskingRewriter r = (MaskingRewriter) MaskingRewriter.of(plan(false, 2), FUNCTIONS, Dialect.MYSQL);
        r.columns(TWO_TEXT);
        r.complete(false);
        r.resume();
        assertThat(r.refusal()).isNull();
        r.complete(false);
        r.columns(TWO_TEXT);
        assertThat(r.refusal()).isNotNull();
        assertThat(r.refusal().getMessage()).contains("more than one result set");
    }

    @Test
    void errorsLoseTheValuesTheyQuote() {
        assertThat(MaskedErrors.scrubMySql("Truncated incorrect DOUBLE value: '123-45-6789'"))
                .isEqualTo("Truncated incorrect DOUBLE value: '***'");
        assertThat(MaskedErrors.hideQuoted("invalid input syntax for type integer: \"it\"\"s\"", '"'))
                .isEqualTo("invalid input syntax for type integer: \"***\"");
        assertThat(MaskedErrors.hideQuoted("unclosed 'secret", '\'')).isEqualTo("unclosed '***'");
    }

    /**
     * The in-place path must send exactly the bytes the general one (slice, mask, encode) sends, and leave the
     * message untouched whenever it declines: random rows of e-mail, partial and varchar-limited columns, with
     * non-ASCII text, values without '@', NULLs and values too long for their column (those decline).
     */
    @Test
    void maskingInPlaceSendsTheBytesOfTheGeneralPath() {
        List<ResultColumn> columns = List.of(
                ResultColumn.postgres("id", TEXT, -1, ResultColumn.Format.TEXT),
                ResultColumn.postgres("email", TEXT, -1, ResultColumn.Format.TEXT),
                ResultColumn.postgres("ssn", 1043, 12 + 4, ResultColumn.Format.TEXT),
                ResultColumn.postgres("code", 1042, 6 + 4, ResultColumn.Format.TEXT));
        MaskingPlan plan = new MaskingPlan(List.of(
                new MaskingPlan.ColumnMask(1, "email", List.of("email"), Masker.parse("email"), false),
                new MaskingPlan.ColumnMask(2, "ssn", List.of("national_id"), Masker.parse("partial(4)"), false),
                new MaskingPlan.ColumnMask(3, "code", List.of("secret"), Masker.parse("partial(2)"), false)), 4);
        MaskingRewriter inPlace = new MaskingRewriter(plan, FUNCTIONS, Dialect.POSTGRESQL);
        MaskingRewriter general = new MaskingRewriter(plan, FUNCTIONS, Dialect.POSTGRESQL);
        inPlace.columns(columns);
        general.columns(columns);
        Random random = new Random(42);
        String[] pieces = {"a", "b", "@", ".", "x", "é", "7", "-", "Ω", "😀", " "};
        int rewrittenInPlace = 0;
        int declined = 0;
        for (int n = 0; n < 5_000; n++) {
            Buffer[] values = new Buffer[4];
            values[0] = Buffer.buffer(Integer.toString(n));
            for (int c = 1; c < 4; c++) {
                if (random.nextInt(10) == 0) {
                    continue; // NULL
                }
                StringBuilder v = new StringBuilder();
                int length = random.nextInt(random.nextInt(4) == 0 ? 20 : 12);
                for (int i = 0; i < length; i++) {
                    v.append(random.nextInt(4) == 0 ? pieces[random.nextInt(pieces.length)] : "abcdef0123".charAt(random.nextInt(10)));
                }
                values[c] = Buffer.buffer(v.toString());
            }
            // code is bpchar(6): the server pads it, and a padded value takes the general path.
            if (values[3] != null) {
                values[3] = Buffer.buffer(String.format("%-6s", values[3].toString()));
            }
            Buffer message = DataRow.encode(values);
            byte[] copy = message.getBytes();
            DataRow.Positions at = DataRow.positions(PgFrame.of(Buffer.buffer(copy)));
            ResultRow sent = general.row(ResultRow.of(values.clone()));
            byte[] expected = DataRow.encode(sent.values()).getBytes();
            if (inPlace.rewriteInPlace(copy, at.starts(), at.lengths())) {
                rewrittenInPlace++;
                assertThat(copy).as("row %d", n).isEqualTo(expected);
            } else {
                declined++;
                assertThat(copy).as("row %d left as it came", n).isEqualTo(message.getBytes());
            }
        }
        assertThat(rewrittenInPlace).isGreaterThan(0);
        assertThat(declined).isGreaterThan(0);
    }
}
