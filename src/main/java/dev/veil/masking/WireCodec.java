package dev.veil.masking;

/**
 * One dialect's encoding of values in one format. {@code decode} turns a value's bytes into the kind's Java
 * form (INTEGER BigInteger, DECIMAL BigDecimal or {@link Special}, FLOAT Double, BOOLEAN Boolean, TEXT and
 * JSON String, BYTES and BIT byte[], DATE LocalDate, TIMESTAMP LocalDateTime, TIMESTAMPTZ OffsetDateTime
 * (these three or a Special), TIME Duration, YEAR Integer, UUID UUID, INET {@link InetValue}; ARRAY and
 * OTHER stay bytes) and throws IllegalArgumentException on bytes that are not such a value; {@code encode}
 * is the reverse for a value already fitted to its column ({@link ValueFit}).
 */
interface WireCodec {
    Object decode(ColumnType type, byte[] bytes);

    byte[] encode(ColumnType type, Object value);
}
