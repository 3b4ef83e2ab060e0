package dev.veil.rewrite;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Rows read in place from a server message, and rows made of values, look the same to a rewriter and an encoder. */
class ResultRowTest {
    /** "ab", NULL, "cde" at positions 1, -, 5 of a message. */
    private static ResultRow sliced() {
        return ResultRow.slices(Buffer.buffer("_ab__cde_"), new int[]{1, -1, 5}, new int[]{2, -1, 3});
    }

    @Test
    void aSlicedRowReadsItsValuesFromTheMessage() {
        ResultRow row = sliced();
        assertThat(row.size()).isEqualTo(3);
        assertThat(row.text(0)).isEqualTo("ab");
        assertThat(row.value(1)).isNull();
        assertThat(row.isNull(1)).isTrue();
        assertThat(row.text(2)).isEqualTo("cde");
        assertThat(row.length(0)).isEqualTo(2);
        assertThat(row.length(1)).isEqualTo(-1);
    }

    @Test
    void replacingAValueLeavesTheOriginalRowAsItWas() {
        ResultRow row = sliced();
        ResultRow changed = row.with(0, Buffer.buffer("xyz")).with(2, null);
        assertThat(changed.text(0)).isEqualTo("xyz");
        assertThat(changed.isNull(2)).isTrue();
        assertThat(changed.length(2)).isEqualTo(-1);
        assertThat(row.text(0)).isEqualTo("ab");
        assertThat(row.text(2)).isEqualTo("cde");
    }

    @Test
    void copiedValuesComeFromTheReplacementOrTheMessage() {
        ResultRow changed = sliced().with(0, Buffer.buffer("xyz"));
        byte[] out = "......".getBytes();
        changed.copyValue(0, out, 0);
        changed.copyValue(1, out, 3);
        changed.copyValue(2, out, 3);
        assertThat(new String(out)).isEqualTo("xyzcde");
        assertThat(changed.bytes(1)).isNull();
        assertThat(new String(changed.bytes(2))).isEqualTo("cde");
    }

    @Test
    void aRowOfValuesKeepsItsNulls() {
        ResultRow row = ResultRow.of(Buffer.buffer("a"), null);
        assertThat(row.isNull(1)).isTrue();
        assertThat(row.values()).containsExactly(Buffer.buffer("a"), null);
        assertThat(row.with(1, Buffer.buffer("b")).text(1)).isEqualTo("b");
    }

    @Test
    void bytesReplaceSeveralValuesAtOnceAndWinOverEarlierBuffers() {
        ResultRow row = sliced();
        ResultRow changed = row.with(2, Buffer.buffer("q"))
                .replacing(new int[]{0, 2}, new byte[][]{"wxyz".getBytes(), null});
        assertThat(changed.text(0)).isEqualTo("wxyz");
        assertThat(changed.length(0)).isEqualTo(4);
        assertThat(changed.isNull(2)).isTrue();
        assertThat(changed.bytes(2)).isNull();
        assertThat(changed.values()).containsExactly(Buffer.buffer("wxyz"), null, null);
        byte[] out = "....".getBytes();
        changed.copyValue(0, out, 0);
        assertThat(new String(out)).isEqualTo("wxyz");
        assertThat(row.text(0)).isEqualTo("ab");
        assertThat(row.text(2)).isEqualTo("cde");
        // A buffer given after the bytes replaces them again.
        assertThat(changed.with(0, Buffer.buffer("v")).text(0)).isEqualTo("v");
    }
}
