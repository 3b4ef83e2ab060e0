package dev.veil.testing;

import io.vertx.core.buffer.Buffer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * Reads a golden file under {@code src/test/resources/golden/<dialect>/}: lowercase hex, any whitespace, and
 * {@code #} comments running to the end of the line (they explain each field). Shared by the PostgreSQL
 * and MySQL protocol tests.
 */
public final class GoldenHex {
    private GoldenHex() {
    }

    public static byte[] load(String dialect, String name) {
        String path = "/golden/" + dialect + "/" + name + ".hex";
        try (InputStream in = GoldenHex.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalArgumentException("no golden file " + path);
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Buffer buffer(String dialect, String name) {
        return Buffer.buffer(load(dialect, name));
    }

    public static byte[] parse(String text) {
        StringBuilder hex = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            int hash = line.indexOf('#');
            String data = hash < 0 ? line : line.substring(0, hash);
            for (char c : data.toCharArray()) {
                if (Character.isWhitespace(c)) {
                    continue;
                }
                if (Character.digit(c, 16) < 0 || Character.isUpperCase(c)) {
                    throw new IllegalArgumentException("not lowercase hex: '" + c + "' in line: " + line);
                }
                hex.append(c);
            }
        }
        return HexFormat.of().parseHex(hex);
    }

    /** Hex with a space between bytes, so that a failed comparison shows where the bytes differ. */
    public static String hex(byte[] bytes) {
        return HexFormat.ofDelimiter(" ").formatHex(bytes);
    }

    public static String hex(Buffer buffer) {
        return hex(buffer.getBytes());
    }
}
