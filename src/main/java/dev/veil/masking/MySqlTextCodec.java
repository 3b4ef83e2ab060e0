package dev.veil.masking;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * MySQL's text rows (and the string-encoded values of binary rows): every value as its text, in the result's
 * character set for character columns, the column's bytes for binary strings and BIT. Dates are
 * "2024-02-29", "2024-02-29 13:45:00.250" (as many fraction digits as the column's decimals), TIME
 * "-838:59:59", YEAR "2024"; MySQL's zero date "0000-00-00" is kept as {@link Special#ZERO_DATE}.
 */
final class MySqlTextCodec implements WireCodec {
    static final MySqlTextCodec INSTANCE = new MySqlTextCodec();
    private static final Pattern DATE_TIME = Pattern.compile(
            "(\\d{4})-(\\d\\d)-(\\d\\d)(?: (\\d\\d):(\\d\\d):(\\d\\d)(?:\\.(\\d{1,6}))?)?");
    private static final Pattern TIME = Pattern.compile("(-)?(\\d{2,3}):(\\d\\d):(\\d\\d)(?:\\.(\\d{1,6}))?");
    private static final Pattern ZERO = Pattern.compile("0000-00-00( 00:00:00(\\.0+)?)?");

    private MySqlTextCodec() {
    }

    @Override
    public Object decode(ColumnType type, byte[] bytes) {
        return switch (type.kind()) {
            case INTEGER -> new BigInteger(TextForms.ascii(bytes));
            case DECIMAL -> new BigDecimal(TextForms.ascii(bytes));
            case FLOAT -> Double.parseDouble(TextForms.ascii(bytes));
            case TEXT -> new String(bytes, type.charset());
            case JSON -> new String(bytes, StandardCharsets.UTF_8);
            case DATE -> dateTime(TextForms.ascii(bytes), false);
            case TIMESTAMP -> dateTime(TextForms.ascii(bytes), true);
            case TIME -> time(TextForms.ascii(bytes));
            case YEAR -> Integer.parseInt(TextForms.ascii(bytes));
            case UUID -> UUID.fromString(TextForms.ascii(bytes));
            case INET -> InetText.parse(TextForms.ascii(bytes));
            default -> bytes;
        };
    }

    @Override
    public byte[] encode(ColumnType type, Object value) {
        return switch (type.kind()) {
            case INTEGER -> TextForms.ascii(value.toString());
            case DECIMAL -> TextForms.ascii(((BigDecimal) value).toPlainString());
            case FLOAT -> TextForms.ascii(TextForms.decimalFloat((Double) value, type.width() == 4));
            case TEXT -> ((String) value).getBytes(type.charset());
            case JSON -> ((String) value).getBytes(StandardCharsets.UTF_8);
            case BYTES, BIT -> (byte[]) value;
            case DATE -> TextForms.ascii(value == Special.ZERO_DATE ? "0000-00-00" : date((LocalDate) value));
            case TIMESTAMP -> TextForms.ascii(dateTime(value, Math.max(type.scale(), 0)));
            case TIME -> TextForms.ascii(time((Duration) value, Math.max(type.scale(), 0)));
            case YEAR -> TextForms.ascii(String.format("%04d", (Integer) value));
            case UUID -> TextForms.ascii(value.toString());
            case INET -> TextForms.ascii(InetText.format((InetValue) value));
            default -> throw new IllegalArgumentException("no MySQL text form for " + type.kind());
        };
    }

    private static Object dateTime(String s, boolean withTime) {
        if (ZERO.matcher(s).matches()) {
            return Special.ZERO_DATE;
        }
        Matcher m = DATE_TIME.matcher(s);
        if (!m.matches() || (m.group(4) != null) != withTime) {
            throw new IllegalArgumentException("not a MySQL " + (withTime ? "DATETIME" : "DATE") + ": " + s);
        }
        LocalDate d = LocalDate.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                Integer.parseInt(m.group(3)));
        if (!withTime) {
            return d;
        }
        return LocalDateTime.of(d, LocalTime.of(Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5)),
                Integer.parseInt(m.group(6)), micros(m.group(7)) * 1000));
    }

    private static Duration time(String s) {
        Matcher m = TIME.matcher(s);
        if (!m.matches() || Integer.parseInt(m.group(3)) > 59 || Integer.parseInt(m.group(4)) > 59) {
            throw new IllegalArgumentException("not a MySQL TIME: " + s);
        }
        Duration d = Duration.ofHours(Integer.parseInt(m.group(2))).plusMinutes(Integer.parseInt(m.group(3)))
                .plusSeconds(Integer.parseInt(m.group(4))).plusNanos(micros(m.group(5)) * 1000L);
        return m.group(1) != null ? d.negated() : d;
    }

    private static int micros(String digits) {
        return digits == null ? 0 : Integer.parseInt((digits + "000000").substring(0, 6));
    }

    private static String date(LocalDate d) {
        return String.format("%04d-%02d-%02d", d.getYear(), d.getMonthValue(), d.getDayOfMonth());
    }

    private static String dateTime(Object value, int digits) {
        if (value == Special.ZERO_DATE) {
            return "0000-00-00 00:00:00" + fraction(0, digits);
        }
        LocalDateTime t = (LocalDateTime) value;
        return date(t.toLocalDate()) + String.format(" %02d:%02d:%02d", t.getHour(), t.getMinute(), t.getSecond())
                + fraction(t.getNano() / 1000, digits);
    }

    private static String time(Duration d, int digits) {
        Duration abs = d.abs();
        long s = abs.getSeconds();
        return (d.isNegative() ? "-" : "") + String.format("%02d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60)
                + fraction(abs.getNano() / 1000, digits);
    }

    /** The column's decimals give the fraction's digits; a finer value (which MySQL would not send) is cut. */
    private static String fraction(int micros, int digits) {
        return digits == 0 ? "" : "." + String.format("%06d", micros).substring(0, digits);
    }
}
