package dev.veil.masking;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;

/** Text forms both dialects share: numbers as ASCII digits, floats as Java and both servers read them. */
final class TextForms {
    private TextForms() {
    }

    static String ascii(byte[] bytes) {
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * A double as PostgreSQL and MySQL print one: plain digits for ordinary magnitudes, an exponent ("1.5e+20")
     * otherwise; "NaN", "Infinity", "-Infinity" as PostgreSQL spells them.
     */
    static String decimalFloat(double d, boolean single) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        String shortest = single ? Float.toString((float) d) : Double.toString(d);
        BigDecimal exact = new BigDecimal(shortest);
        double abs = Math.abs(d);
        if (d == 0 || (abs >= 1e-4 && abs < 1e15)) {
            String plain = exact.stripTrailingZeros().toPlainString();
            return d == 0 && (1 / d) < 0 ? "-0" : plain;
        }
        int e = shortest.indexOf('E');
        String mantissa = shortest.substring(0, e);
        if (mantissa.endsWith(".0")) {
            mantissa = mantissa.substring(0, mantissa.length() - 2);
        }
        int exponent = Integer.parseInt(shortest.substring(e + 1));
        return mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format("%02d", Math.abs(exponent));
    }
}
