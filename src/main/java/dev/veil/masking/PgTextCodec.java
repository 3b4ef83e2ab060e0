package dev.veil.masking;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.UUID;

/** PostgreSQL's text format (format code 0): each type's output function, as the server writes it. */
final class PgTextCodec implements WireCodec {
    static final PgTextCodec INSTANCE = new PgTextCodec();

    private PgTextCodec() {
    }

    @Override
    public Object decode(ColumnType type, byte[] bytes) {
        String s = new String(bytes, StandardCharsets.UTF_8);
        return switch (type.kind()) {
            case INTEGER -> new BigInteger(s);
            case DECIMAL -> switch (s) {
                case "NaN" -> Special.NAN;
                case "Infinity" -> Special.INFINITY;
                case "-Infinity" -> Special.MINUS_INFINITY;
                default -> new BigDecimal(s);
            };
            case FLOAT -> Double.parseDouble(s);
            case BOOLEAN -> bool(s);
            case TEXT, JSON -> s;
            case BYTES -> bytea(s);
            case DATE -> PgDateText.parseDate(s);
            case TIMESTAMP -> PgDateText.parseTimestamp(s, false);
            case TIMESTAMPTZ -> PgDateText.parseTimestamp(s, true);
            case TIME -> PgDateText.parseTime(s);
            case UUID -> UUID.fromString(s);
            case INET -> InetText.parse(s);
            default -> bytes;
        };
    }

    @Override
    public byte[] encode(ColumnType type, Object value) {
        String s = switch (type.kind()) {
            case INTEGER -> value.toString();
            case DECIMAL -> decimal(value);
            case FLOAT -> TextForms.decimalFloat((Double) value, type.width() == 4);
            case BOOLEAN -> (Boolean) value ? "t" : "f";
            case TEXT, JSON -> (String) value;
            case BYTES -> "\\x" + HexFormat.of().formatHex((byte[]) value);
            case DATE -> PgDateText.formatDate(value);
            case TIMESTAMP, TIMESTAMPTZ -> PgDateText.formatTimestamp(value);
            case TIME -> PgDateText.formatTime((Duration) value);
            case UUID -> value.toString();
            case INET -> InetText.format((InetValue) value);
            case ARRAY -> emptyArray(value);
            default -> throw new IllegalArgumentException("no text form for " + type.kind());
        };
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Boolean bool(String s) {
        return switch (s) {
            case "t" -> Boolean.TRUE;
            case "f" -> Boolean.FALSE;
            default -> throw new IllegalArgumentException("not a boolean: " + s);
        };
    }

    /** bytea_output 'hex' (the default since 9.0); the older 'escape' output does not parse. */
    private static byte[] bytea(String s) {
        if (!s.startsWith("\\x")) {
            throw new IllegalArgumentException("bytea not in hex output");
        }
        return HexFormat.of().parseHex(s.substring(2));
    }

    private static String decimal(Object value) {
        if (value instanceof Special s) {
            return switch (s) {
                case NAN -> "NaN";
                case INFINITY -> "Infinity";
                case MINUS_INFINITY -> "-Infinity";
                default -> throw new IllegalArgumentException("not a numeric: " + s);
            };
        }
        return ((BigDecimal) value).toPlainString();
    }

    private static String emptyArray(Object value) {
        if (value != Special.EMPTY_ARRAY) {
            throw new IllegalArgumentException("only the empty array is written");
        }
        return "{}";
    }
}
