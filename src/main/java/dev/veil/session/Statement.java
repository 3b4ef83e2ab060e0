package dev.veil.session;

import dev.veil.analysis.Dialect;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * One statement a client sent, as the pipeline sees it whatever the wire: its dialect, text, the prepared
 * statement it runs through (null for simple queries), its parameters as rendered text (null when there are
 * none or they are not known), and whether it is only being prepared (it runs later, by name or id).
 */
public record Statement(Dialect dialect, String sql, String preparedName, List<String> parameters, boolean preparing) {
    public static Statement query(Dialect dialect, String sql) {
        return new Statement(dialect, sql, null, null, false);
    }

    public static Statement prepare(Dialect dialect, String name, String sql) {
        return new Statement(dialect, sql, name, null, true);
    }

    public static Statement execute(Dialect dialect, String name, String sql, List<String> parameters) {
        return new Statement(dialect, sql, name, parameters, false);
    }

    /**
     * A digest of the parameters (SHA-256 over their lengths and text; null values distinct from empty ones), so
     * that a decision bound to "this statement with these values" can be checked without keeping the values.
     */
    public String parameterDigest() {
        if (parameters == null || parameters.isEmpty()) {
            return null;
        }
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String p : parameters) {
                byte[] bytes = p == null ? new byte[0] : p.getBytes(StandardCharsets.UTF_8);
                sha.update(Integer.toString(p == null ? -1 : bytes.length).getBytes(StandardCharsets.US_ASCII));
                sha.update((byte) ':');
                sha.update(bytes);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
