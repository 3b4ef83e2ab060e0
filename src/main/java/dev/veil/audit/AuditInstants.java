package dev.veil.audit;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/** The time of an audit record, as the object mapper writes it, written by {@link StatementJson} without a formatter. */
final class AuditInstants {
    private static final long YEAR_1000 = LocalDateTime.of(1000, 1, 1, 0, 0).toEpochSecond(ZoneOffset.UTC);
    private static final long YEAR_10000 = LocalDateTime.of(10000, 1, 1, 0, 0).toEpochSecond(ZoneOffset.UTC);

    private AuditInstants() {
    }

    /**
     * As {@link Instant#toString()} (ISO-8601 in UTC, the fraction in groups of three digits, none when zero), which
     * the mapper writes too; by hand for the years 1000 to 9999, where the format is fixed, as the formatter it
     * goes through was a tenth of the record's cost.
     */
    static String text(Instant t) {
        if (t == null) {
            return null;
        }
        return append(new StringBuilder(30), t).toString();
    }

    /**
     * Appends the same text to {@code b}. The part up to the second is the same for every record of that second: each
     * thread keeps the last one it wrote.
     */
    static StringBuilder append(StringBuilder b, Instant t) {
        long second = t.getEpochSecond();
        if (second < YEAR_1000 || second >= YEAR_10000) {
            return b.append(t);
        }
        LastSecond last = LAST_SECOND.get();
        if (last.second != second || last.text == null) {
            LocalDateTime d = LocalDateTime.ofEpochSecond(second, 0, ZoneOffset.UTC);
            StringBuilder p = new StringBuilder(20).append(d.getYear()).append('-');
            two(p, d.getMonthValue()).append('-');
            two(p, d.getDayOfMonth()).append('T');
            two(p, d.getHour()).append(':');
            two(p, d.getMinute()).append(':');
            two(p, d.getSecond());
            last.text = p.toString();
            last.second = second;
        }
        b.append(last.text);
        int nano = t.getNano();
        if (nano != 0) {
            int digits = nano % 1_000_000 == 0 ? 3 : nano % 1_000 == 0 ? 6 : 9;
            String n = Integer.toString(nano + 1_000_000_000); // a leading 1 keeps the zeros in front
            b.append('.').append(n, 1, 1 + digits);
        }
        return b.append('Z');
    }

    private static final class LastSecond {
        long second;
        String text;
    }

    private static final ThreadLocal<LastSecond> LAST_SECOND = ThreadLocal.withInitial(LastSecond::new);

    private static StringBuilder two(StringBuilder b, int v) {
        return b.append((char) ('0' + v / 10)).append((char) ('0' + v % 10));
    }
}
