package dev.veil.analysis.text;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Passwords inside text that names a server or runs a program: the password of a URL's user information
 * ({@code postgresql://app:secret@db/x}, {@code mysql://u:p@h/db/t}), and the value of any key ending in
 * password, passwd or pwd ({@code host=db password='s 1'}, {@code PGPASSWORD=s psql …}, {@code --password=s},
 * {@code ?password=s&…}). Each becomes {@code ?}; everything else is kept.
 */
public final class ConnectionSecrets {
    private static final Pattern URL_PASSWORD = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://[^\\s/@:]*):([^\\s@/]*)@");
    private static final Pattern KEY_PASSWORD = Pattern.compile(
            "(?i)([A-Za-z0-9_-]*(?:password|passwd|pwd)\\s*=\\s*)('(?:[^'\\\\]|\\\\.)*'|\"(?:[^\"\\\\]|\\\\.)*\"|[^\\s&;,)]*)");

    private ConnectionSecrets() {
    }

    /** {@code value} with every password in it replaced by {@code ?}. */
    public static String redact(String value) {
        String out = URL_PASSWORD.matcher(value).replaceAll("$1:?@");
        Matcher m = KEY_PASSWORD.matcher(out);
        return m.replaceAll(r -> Matcher.quoteReplacement(r.group(1)) + "?");
    }
}
