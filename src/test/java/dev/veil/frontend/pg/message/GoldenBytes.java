package dev.veil.frontend.pg.message;

import io.vertx.core.buffer.Buffer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * Reads a golden file under {@code src/test/resources/golden/}: lowercase hex, any whitespace, and
 * {@code #} comments running to the end of the line (they explain each field).
 */
final class GoldenBytes {
    private GoldenBytes() {
    }

    static byte[] load(String name) {
        String path = "/golden/pg/" + name + ".hex";
        try (InputStream in = GoldenBytes.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalArgumentException("no golden file " + path);
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Buffer buffer(String name) {
        return Buffer.buffer(load(name));
    }

    static byte[] parse(String text) {
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
    static String hex(byte[] bytes) {
        return HexFormat.ofDelimiter(" ").formatHex(bytes);
    }

    static String hex(Buffer buffer) {
        return hex(buffer.getBytes());
    }
}
