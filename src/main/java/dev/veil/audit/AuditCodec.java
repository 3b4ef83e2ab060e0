package dev.veil.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The line format and the hash chain. A line is one JSON object:
 * {@code {"seq":N, <event fields, "type" first>, "prev":"<hash of record N-1>", "hash":"<hash of this one>"}}.
 * The hash is SHA-256 (hex) of the UTF-8 bytes of the line up to {@code "prev":"…"} closed by {@code }},
 * i.e. the line without its {@code ,"hash":"…"} suffix. Hashing the exact bytes (no re-serialisation)
 * makes any edit of any byte visible.
 */
public final class AuditCodec {
    /** The "previous hash" of the first record of a chain. */
    public static final String GENESIS = "0".repeat(64);
    private static final String HASH_FIELD = ",\"hash\":\"";
    /** Length of {@code ,"hash":"<64 hex>"}} at the end of every line. */
    private static final int HASH_SUFFIX = HASH_FIELD.length() + 64 + 2;
    private static final byte[] SEQ_FIELD = "{\"seq\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PREV_FIELD = ",\"prev\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HASH_FIELD_BYTES = HASH_FIELD.getBytes(StandardCharsets.US_ASCII);

    /**
     * No limit on the length of a string or a name when reading: a line is already in memory as a whole when it
     * is parsed, so Jackson's default (20,000,000 characters) protects nothing and only made a long record
     * (from a version that did not bound them: a statement with a 21 MB comment) unreadable, reported as
     * corruption. What is written now is bounded by {@link AuditBounds}.
     */
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE)
                    .maxNameLength(Integer.MAX_VALUE).build())
            .build();

    private final AuditBounds bounds;
    private final ObjectMapper mapper = JsonMapper.builder(FACTORY)
            .addModule(new JavaTimeModule())
            .addModule(new Jdk8Module())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private final StatementJson statementJson = new StatementJson();

    private final Map<Class<?>, String> typeNames = Arrays.stream(
                    AuditEvent.class.getAnnotation(JsonSubTypes.class).value())
            .collect(Collectors.toMap(JsonSubTypes.Type::value,
                    JsonSubTypes.Type::name));

    private final String decidedType = typeNames.get(AuditEvent.StatementDecided.class);
    private final String completedType = typeNames.get(AuditEvent.StatementCompleted.class);

    /** A codec that writes within the default bounds (and reads anything). */
    public AuditCodec() {
        this(AuditBounds.DEFAULT);
    }

    public AuditCodec(AuditBounds bounds) {
        this.bounds = bounds;
    }

    public ObjectMapper mapper() {
        return mapper;
    }

    public AuditLine encode(long seq, AuditEvent event, String prev) {
        return seal(seq, serialise(event), prev);
    }

    /**
     * An event's own fields as JSON, without its braces: the part of a line that needs no place in the chain.
     * The event is bounded first ({@link AuditBounds}); the result carries the bounded event, so the search
     * columns of a line (identity) are taken from what the line says.
     */
    public Serialised serialise(AuditEvent original) {
        AuditEvent event = bounds.apply(original);
        // {"type":"…",…}: serialised straight to text (no tree), then framed by seq and prev.
        String fields = statementJson.fields(event);
        if (fields == null) {
            String eventJson = viaMapper(event);
            fields = eventJson.substring(1, eventJson.length() - 1);
        }
        return new Serialised(event, typeName(event), fields);
    }

    /** The event as the object mapper writes it: the reference {@link StatementJson} is held to. */
    String viaMapper(AuditEvent event) {
        try {
            return mapper.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("audit event cannot be serialised: " + e.getMessage(), e);
        }
    }

    /** An event serialised ahead of its place in the chain. */
    public record Serialised(AuditEvent event, String type, String fields) {
    }

    /**
     * Gives a serialised event its seq and the previous record's hash, and hashes the result. The line is put
     * together as UTF-8 once, in its final array: the hash is taken over its open part and then written after it.
     */
    public AuditLine seal(long seq, Serialised e, String prev) {
        byte[] number = Long.toString(seq).getBytes(StandardCharsets.US_ASCII);
        byte[] fields = e.fields().getBytes(StandardCharsets.UTF_8);
        byte[] previous = prev.getBytes(StandardCharsets.UTF_8);
        int open = SEQ_FIELD.length + number.length + 1 + fields.length + PREV_FIELD.length + previous.length + 1;
        byte[] line = new byte[open + HASH_SUFFIX];
        int at = put(line, 0, SEQ_FIELD);
        at = put(line, at, number);
        line[at++] = ',';
        at = put(line, at, fields);
        at = put(line, at, PREV_FIELD);
        at = put(line, at, previous);
        line[at++] = '"';
        String hash = digest(line, open, true);
        at = put(line, at, HASH_FIELD_BYTES);
        for (int i = 0; i < hash.length(); i++) {
            line[at++] = (byte) hash.charAt(i);
        }
        line[at++] = '"';
        line[at] = '}';
        return new AuditLine(seq, e.type(), e.event().time(), e.event().identityName(), hash, line);
    }

    private static int put(byte[] line, int at, byte[] part) {
        System.arraycopy(part, 0, line, at, part.length);
        return at + part.length;
    }

    private String typeName(AuditEvent e) {
        // The two records of every statement first: the map lookup showed in the event loops' profile.
        if (e instanceof AuditEvent.StatementDecided) {
            return decidedType;
        }
        if (e instanceof AuditEvent.StatementCompleted) {
            return completedType;
        }
        String name = typeNames.get(e.getClass());
        if (name == null) {
            throw new IllegalStateException("no type name for " + e.getClass());
        }
        return name;
    }

    /**
     * A stored line taken apart; {@code valid} is false when its own hash does not match its content.
     * {@code surplus} says what the line holds besides the record (a carriage return or spaces after it, a byte
     * order mark before it), null when the line is the record and nothing else: the hash covers the record, so
     * bytes beside it are an edit it cannot show by itself.
     */
    public record Parsed(long seq, String prev, String hash, boolean valid, JsonNode json, String surplus) {
    }

    /** Parses a line; throws {@link IllegalArgumentException} when it holds no record at all. */
    public Parsed parse(String line) {
        int start = line.indexOf('{');
        int hashAt = line.lastIndexOf(HASH_FIELD);
        int end = hashAt + HASH_SUFFIX;
        if (line.isEmpty()) {
            throw new IllegalArgumentException("an empty line");
        }
        if (hashAt < 0 || end > line.length() || !line.startsWith("\"}", end - 2)) {
            throw new IllegalArgumentException("not an audit record (no trailing hash field)");
        }
        if (start < 0 || start > hashAt) {
            throw new IllegalArgumentException("not an audit record (no opening brace before the hash field)");
        }
        String text = start == 0 && end == line.length() ? line : line.substring(start, end);
        JsonNode json;
        try {
            json = mapper.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage());
        }
        if (!json.path("seq").canConvertToLong() || !json.path("prev").isTextual() || !json.path("hash").isTextual()) {
            throw new IllegalArgumentException("not an audit record (seq, prev or hash missing)");
        }
        String hash = json.get("hash").asText();
        String open = text.substring(0, text.length() - HASH_SUFFIX);
        String surplus = text == line ? null : surplus(line, start, end);
        return new Parsed(json.get("seq").asLong(), json.get("prev").asText(), hash, bodyHash(open).equals(hash), json, surplus);
    }

    /** What a line holds before and after its record, escaped so that invisible bytes show. */
    private static String surplus(String line, int start, int end) {
        StringBuilder b = new StringBuilder();
        if (start > 0) {
            b.append(bytes(line.substring(0, start))).append(" before the record (\"").append(escaped(line.substring(0, start))).append("\")");
        }
        if (end < line.length()) {
            b.append(start > 0 ? " and " : "").append(bytes(line.substring(end))).append(" after the record (\"")
                    .append(escaped(line.substring(end))).append("\")");
        }
        return b.toString();
    }

    private static String bytes(String s) {
        int n = s.getBytes(StandardCharsets.UTF_8).length;
        return n == 1 ? "1 byte" : n + " bytes";
    }

    private static String escaped(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().limit(40).forEach(c -> {
            switch (c) {
                case '\r' -> b.append("\\r");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\\' -> b.append("\\\\");
                case '"' -> b.append("\\\"");
                default -> {
                    if (c >= 0x20 && c < 0x7f) {
                        b.appendCodePoint(c);
                    } else {
                        b.append(String.format("\\u%04x", c));
                    }
                }
            }
        });
        return s.codePointCount(0, s.length()) > 40 ? b + "…" : b.toString();
    }

    public AuditEvent event(JsonNode json) {
        try {
            return mapper.treeToValue(json, AuditEvent.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a known audit event: " + e.getOriginalMessage());
        }
    }

    /** One digest per thread: getInstance looks the provider up on every call. */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    static String sha256(String s) {
        return digest(s, false);
    }

    /**
     * The hash of a record: of its body, the line up to {@code "prev":"…"} closed by '}'. Given the open part, hashed
     * as two pieces, so the body is never made as a string.
     */
    private static String bodyHash(String open) {
        return digest(open, true);
    }

    private static String digest(String s, boolean closed) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return digest(b, b.length, closed);
    }

    /** SHA-256 (hex) of the first {@code length} bytes, followed by the closing '}' of a record's body when asked. */
    private static String digest(byte[] b, int length, boolean closed) {
        MessageDigest d = SHA256.get();
        d.reset();
        d.update(b, 0, length);
        if (closed) {
            d.update((byte) '}');
        }
        return HexFormat.of().formatHex(d.digest());
    }
}
