package dev.veil.masking.leak;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Looks for the canaries in bytes a client received, in every form a query can turn a value into and the scanner
 * can still recognise: the value and the part its masker hides, each raw, in upper and lower case, reversed, digits
 * only, as hex (either case), as base64 at each of the three alignments inside a longer text, their MD5 / SHA-1 /
 * SHA-256 / SHA-512 digests (hex of either case, base64), and the binary encodings of numbers and dates. A
 * transformation it cannot recognise (translate(), a Caesar shift) is for the cases' other oracle: the masked
 * answer must differ from the clear one.
 */
final class CanaryScanner {
    /** A form is reported by name: canary, then the form ("990001.ssn hidden reversed"). */
    private final Map<String, String> needles = new LinkedHashMap<>();

    CanaryScanner(List<Canaries.Secret> secrets, List<Canaries.Customer> customers) {
        for (Canaries.Secret s : secrets) {
            textForms(s.label(), s.value());
            textForms(s.label() + " hidden", s.hidden());
            String digits = s.value().replaceAll("[^0-9]", "");
            if (digits.length() >= 9) {
                numberForms(s.label(), digits);
            }
        }
        for (Canaries.Customer c : customers) {
            dateForms(c.id() + ".birth_date", c.birthDate());
        }
    }

    /** What of the canaries the bytes hold: one entry per form found. */
    List<String> find(byte[] received) {
        // ISO-8859-1 maps each byte to one char: indexOf then finds byte sequences, text and binary alike.
        String haystack = new String(received, StandardCharsets.ISO_8859_1);
        // base64 encoders break lines every 76 characters (PostgreSQL's encode, MySQL's TO_BASE64)
        String unwrapped = haystack.replace("\n", "").replace("\r", "");
        List<String> found = new ArrayList<>();
        for (Map.Entry<String, String> n : needles.entrySet()) {
            if (haystack.contains(n.getValue()) || unwrapped.contains(n.getValue())) {
                found.add(n.getKey());
            }
        }
        return found;
    }

    /** How many byte strings are looked for (the report says it). */
    int forms() {
        return needles.size();
    }

    private void textForms(String label, String value) {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        put(label + " raw", value);
        put(label + " upper", value.toUpperCase(Locale.ROOT));
        put(label + " lower", value.toLowerCase(Locale.ROOT));
        put(label + " reversed", new StringBuilder(value).reverse().toString());
        String digits = value.replaceAll("[^0-9]", "");
        if (digits.length() >= 7 && digits.length() < value.length()) {
            put(label + " digits", digits);
        }
        put(label + " hex", HexFormat.of().formatHex(utf8));
        put(label + " HEX", HexFormat.of().withUpperCase().formatHex(utf8));
        for (int align = 0; align < 3; align++) {
            put(label + " base64@" + align, base64Core(utf8, align));
        }
        for (String algorithm : List.of("MD5", "SHA-1", "SHA-256", "SHA-512")) {
            byte[] digest = digest(algorithm, utf8);
            put(label + " " + algorithm + " hex", HexFormat.of().formatHex(digest));
            put(label + " " + algorithm + " HEX", HexFormat.of().withUpperCase().formatHex(digest));
            put(label + " " + algorithm + " base64", Base64.getEncoder().encodeToString(digest));
            put(label + " " + algorithm + " raw", new String(digest, StandardCharsets.ISO_8859_1));
        }
    }

    /** A long digit string as the number it is: int8 (both byte orders: PostgreSQL, MySQL binary rows), PostgreSQL's binary numeric. */
    private void numberForms(String label, String digits) {
        BigInteger n = new BigInteger(digits);
        if (n.bitLength() < 64) {
            put(label + " int8-be", bytes(ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putLong(n.longValue())));
            put(label + " int8-le", bytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(n.longValue())));
        }
        // numeric's send format: base-10000 digits, most significant first, each an Int16
        String padded = "0".repeat((4 - digits.length() % 4) % 4) + digits;
        ByteBuffer groups = ByteBuffer.allocate(padded.length() / 2);
        for (int i = 0; i < padded.length(); i += 4) {
            groups.putShort(Short.parseShort(padded.substring(i, i + 4)));
        }
        // leading zero groups are not sent
        String all = bytes(groups);
        put(label + " numeric", all.replaceFirst("^(\u0000\u0000)+", ""));
    }

    private void dateForms(String label, LocalDate date) {
        for (String pattern : List.of("uuuu-MM-dd", "uuuuMMdd", "dd/MM/uuuu", "MM/dd/uuuu", "dd.MM.uuuu")) {
            put(label + " " + pattern, date.format(DateTimeFormatter.ofPattern(pattern)));
        }
        // PostgreSQL binary date: Int32 days since 2000-01-01; MySQL binary DATE / DATETIME: year (LE), month, day
        int days = (int) (date.toEpochDay() - LocalDate.of(2000, 1, 1).toEpochDay());
        put(label + " pg-binary", bytes(ByteBuffer.allocate(4).putInt(days)));
        put(label + " mysql-binary", bytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN)
                .putShort((short) date.getYear()).put((byte) date.getMonthValue()).put((byte) date.getDayOfMonth())));
    }

    /**
     * The base64 characters that depend only on the value's bytes when it sits {@code align} bytes past a 3-byte
     * boundary of a longer text: what any encoding of a text containing the value shows of it.
     */
    static String base64Core(byte[] value, int align) {
        byte[] shifted = new byte[align + value.length];
        System.arraycopy(value, 0, shifted, align, value.length);
        String encoded = Base64.getEncoder().withoutPadding().encodeToString(shifted);
        int first = (8 * align + 5) / 6; // the first character whose 6 bits all come from the value
        int end = 8 * (align + value.length) / 6; // characters wholly inside the value
        return encoded.substring(first, end);
    }

    private void put(String name, String needle) {
        needles.put(name, needle);
    }

    private static String bytes(ByteBuffer b) {
        return new String(b.array(), 0, b.position(), StandardCharsets.ISO_8859_1);
    }

    private static byte[] digest(String algorithm, byte[] data) {
        try {
            return MessageDigest.getInstance(algorithm).digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
