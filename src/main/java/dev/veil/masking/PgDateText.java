package dev.veil.masking;

import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PostgreSQL's text form of dates and times under DateStyle ISO (the server's default, and what drivers
 * set): "2024-02-29", "2024-02-29 13:45:00.25", "…+01" or "+05:30" for timestamptz, " BC" after years before
 * 1 AD, 'infinity' and '-infinity'. Year n BC is ISO year 1 - n (1 BC is year 0). Another DateStyle's text
 * does not parse, and the mask functions give NULL for it.
 */
final class PgDateText {
    private static final Pattern DATE = Pattern.compile("(\\d{4,})-(\\d\\d)-(\\d\\d)");
    private static final String TIME = "(\\d\\d):(\\d\\d):(\\d\\d)(?:\\.(\\d{1,6}))?";
    private static final Pattern TIMESTAMP = Pattern.compile(DATE.pattern() + " " + TIME
            + "([+-]\\d\\d(?::\\d\\d(?::\\d\\d)?)?)?( BC)?");
    private static final Pattern DATE_BC = Pattern.compile(DATE.pattern() + "( BC)?");
    private static final Pattern TIME_OF_DAY = Pattern.compile(TIME);

    private PgDateText() {
    }

    static Object parseDate(String s) {
        Object special = special(s);
        if (special != null) {
            return special;
        }
        Matcher m = matched(DATE_BC, s);
        return date(m, 1, m.group(4) != null);
    }

    static Object parseTimestamp(String s, boolean withZone) {
        Object special = special(s);
        if (special != null) {
            return special;
        }
        Matcher m = matched(TIMESTAMP, s);
        if ((m.group(8) != null) != withZone) {
            throw new IllegalArgumentException("timestamp" + (withZone ? " without" : " with") + " a zone: " + s);
        }
        LocalDateTime t = LocalDateTime.of(date(m, 1, m.group(9) != null), time(m, 4));
        return withZone ? OffsetDateTime.of(t, ZoneOffset.of(m.group(8))) : t;
    }

    static Duration parseTime(String s) {
        Matcher m = matched(TIME_OF_DAY, s);
        Duration d = Duration.ofHours(Integer.parseInt(m.group(1))).plusMinutes(Integer.parseInt(m.group(2)))
                .plusSeconds(Integer.parseInt(m.group(3))).plusNanos(nanos(m.group(4)));
        if (d.compareTo(Duration.ofDays(1)) > 0 || Integer.parseInt(m.group(2)) > 59
                || Integer.parseInt(m.group(3)) > 59) {
            throw new IllegalArgumentException("not a time of day: " + s);
        }
        return d;
    }

    static String formatDate(Object v) {
        if (v instanceof Special s) {
            return special(s);
        }
        LocalDate d = (LocalDate) v;
        return year(d.getYear()) + String.format("-%02d-%02d", d.getMonthValue(), d.getDayOfMonth()) + bc(d.getYear());
    }

    static String formatTimestamp(Object v) {
        if (v instanceof Special s) {
            return special(s);
        }
        LocalDateTime t;
        String zone = "";
        if (v instanceof OffsetDateTime o) {
            t = o.toLocalDateTime();
            zone = offset(o.getOffset());
        } else {
            t = (LocalDateTime) v;
        }
        LocalDate d = t.toLocalDate();
        return year(d.getYear()) + String.format("-%02d-%02d ", d.getMonthValue(), d.getDayOfMonth())
                + time(t.toLocalTime()) + zone + bc(d.getYear());
    }

    static String formatTime(Duration d) {
        long s = d.getSeconds();
        return String.format("%02d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60) + fraction(d.getNano(), 0);
    }

    /** ".25" for 250 ms: PostgreSQL prints the fraction without trailing zeros; at least {@code digits} digits. */
    static String fraction(int nanos, int digits) {
        if (nanos == 0 && digits == 0) {
            return "";
        }
        String f = String.format("%06d", nanos / 1000);
        int end = f.length();
        while (end > digits && f.charAt(end - 1) == '0') {
            end--;
        }
        return "." + f.substring(0, end);
    }

    private static String time(LocalTime t) {
        return String.format("%02d:%02d:%02d", t.getHour(), t.getMinute(), t.getSecond()) + fraction(t.getNano(), 0);
    }

    private static String offset(ZoneOffset o) {
        int total = o.getTotalSeconds();
        int abs = Math.abs(total);
        String s = (total < 0 ? "-" : "+") + String.format("%02d", abs / 3600);
        if (abs % 3600 != 0) {
            s += String.format(":%02d", (abs / 60) % 60);
        }
        if (abs % 60 != 0) {
            s += String.format(":%02d", abs % 60);
        }
        return s;
    }

    private static String year(int isoYear) {
        return String.format("%04d", isoYear <= 0 ? 1 - isoYear : isoYear);
    }

    private static String bc(int isoYear) {
        return isoYear <= 0 ? " BC" : "";
    }

    private static Object special(String s) {
        return switch (s) {
            case "infinity" -> Special.INFINITY;
            case "-infinity" -> Special.MINUS_INFINITY;
            default -> null;
        };
    }

    private static String special(Special s) {
        return switch (s) {
            case INFINITY -> "infinity";
            case MINUS_INFINITY -> "-infinity";
            default -> throw new IllegalArgumentException("not a PostgreSQL date: " + s);
        };
    }

    private static Matcher matched(Pattern p, String s) {
        Matcher m = p.matcher(s);
        if (!m.matches()) {
            throw new IllegalArgumentException("not in DateStyle ISO: " + s);
        }
        return m;
    }

    private static LocalDate date(Matcher m, int group, boolean bc) {
        int year = Integer.parseInt(m.group(group));
        return LocalDate.of(bc ? 1 - year : year, Integer.parseInt(m.group(group + 1)),
                Integer.parseInt(m.group(group + 2)));
    }

    private static LocalTime time(Matcher m, int group) {
        return LocalTime.of(Integer.parseInt(m.group(group)), Integer.parseInt(m.group(group + 1)),
                Integer.parseInt(m.group(group + 2)), nanos(m.group(group + 3)));
    }

    private static int nanos(String digits) {
        if (digits == null) {
            return 0;
        }
        return Integer.parseInt((digits + "000000").substring(0, 6)) * 1000;
    }
}
