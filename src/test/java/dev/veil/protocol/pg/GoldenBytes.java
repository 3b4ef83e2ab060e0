package dev.veil.protocol.pg;

import dev.veil.testing.GoldenHex;
import io.vertx.core.buffer.Buffer;

/** The PostgreSQL golden files, under {@code src/test/resources/golden/pg/} (format: {@link GoldenHex}). */
final class GoldenBytes {
    private GoldenBytes() {
    }

    static byte[] load(String name) {
        return GoldenHex.load("pg", name);
    }

    static Buffer buffer(String name) {
        return GoldenHex.buffer("pg", name);
    }

    static byte[] parse(String text) {
        return GoldenHex.parse(text);
    }

    static String hex(byte[] bytes) {
        return GoldenHex.hex(bytes);
    }

    static String hex(Buffer buffer) {
        return GoldenHex.hex(buffer);
    }
}
