package dev.veil.policy;

/**
 * A cheap pre-check for the text rules: most statements never contain the word a rule looks for, and skip the
 * statement scan. Non-ASCII text always gets the scan (letters that fold to ASCII, odd spaces).
 */
final class Mentions {
    private Mentions() {
    }

    /** True when {@code sql} may contain {@code word} (lower-case ASCII), ignoring case. */
    static boolean mayContain(String sql, String word) {
        int n = sql.length();
        int w = word.length();
        for (int i = 0; i < n; i++) {
            char c = sql.charAt(i);
            if (c >= 0x80) {
                return true;
            }
            if ((c | 0x20) == word.charAt(0) && i + w <= n && sql.regionMatches(true, i, word, 0, w)) {
                return true;
            }
        }
        return false;
    }
}
