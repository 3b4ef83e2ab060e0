package dev.veil.classification;

import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * National identity numbers whose issuing rules can be checked cheaply. A US Social Security number written
 * 123-45-6789 (or with spaces): area 001–899 except 666, group 01–99, serial 0001–9999, and not one of the numbers
 * printed in advertisements. A UK National Insurance number: two prefix letters the DWP issues, six digits and a
 * suffix A–D. Nine bare digits are not taken for an SSN: too many other numbers look like them.
 */
final class NationalIdDetector implements ValueDetector {
    private static final Pattern SSN = Pattern.compile("([0-9]{3})([- ])([0-9]{2})\\2([0-9]{4})");
    private static final Set<String> ADVERTISED = Set.of("078-05-1120", "219-09-9999", "457-55-5462");
    private static final Pattern NINO = Pattern.compile("([A-CEGHJ-PR-TW-Z]{2}) ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-D]");
    private static final Set<String> NINO_NOT_ISSUED = Set.of("BG", "GB", "KN", "NK", "NT", "TN", "ZZ");

    @Override
    public Tag tag() {
        return Tag.NATIONAL_ID;
    }

    @Override
    public String describes() {
        return "national id numbers (US SSN, UK NINO) following the issuing rules";
    }

    @Override
    public boolean matches(String value) {
        String v = value.strip();
        return ssn(v) || nino(v);
    }

    static boolean ssn(String v) {
        Matcher m = SSN.matcher(v);
        if (!m.matches()) {
            return false;
        }
        int area = Integer.parseInt(m.group(1));
        int group = Integer.parseInt(m.group(3));
        int serial = Integer.parseInt(m.group(4));
        return area != 0 && area != 666 && area < 900 && group != 0 && serial != 0
                && !ADVERTISED.contains(m.group(1) + "-" + m.group(3) + "-" + m.group(4));
    }

    static boolean nino(String v) {
        Matcher m = NINO.matcher(v);
        return m.matches() && !NINO_NOT_ISSUED.contains(m.group(1));
    }
}
