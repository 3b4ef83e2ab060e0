package dev.veil.protocol.pg;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Values sent with format codes, as Bind and FunctionCall send them: no code means all text, one code applies to
 * every value, otherwise one code per value (0 text, 1 binary).
 */
final class ValueFormats {
    private ValueFormats() {
    }

    /** Text values as text, binary ones as {@code \x<hex>}, NULL as null: how the audit trail shows them. */
    static List<String> render(short[] formats, byte[][] values) {
        List<String> out = new ArrayList<>(values.length);
        for (int i = 0; i < values.length; i++) {
            short f = formats.length == 0 ? 0 : formats.length == 1 ? formats[0] : formats[i];
            byte[] v = values[i];
            out.add(v == null ? null : f == 0 ? new String(v, StandardCharsets.UTF_8) : "\\x" + HexFormat.of().formatHex(v));
        }
        return out;
    }
}
