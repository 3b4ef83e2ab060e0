package dev.veil.masking;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.UUID;

/**
 * PostgreSQL's binary format (format code 1), each type's send function: big-endian integers and IEEE
 * floats, {@link PgNumeric}, one byte for bool, UTF-8 for text and json, jsonb behind its version byte 1,
 * date as Int32 days and timestamp / timestamptz as Int64 microseconds since 2000-01-01 (UTC for
 * timestamptz), with the largest and smallest value for 'infinity' and '-infinity'; time as Int64
 * microseconds since midnight; uuid as its 16 bytes; inet as family, bits, is_cidr, address length and
 * address; an array as dimensions, has-nulls flag and element type OID before its elements.
 */
final class PgBinaryCodec implements WireCodec {
    static final PgBinaryCodec INSTANCE = new PgBinaryCodec();
    static final LocalDate EPOCH = LocalDate.of(2000, 1, 1);
    private static final LocalDateTime EPOCH_TIME = EPOCH.atStartOfDay();
    private static final int JSONB_VERSION = 1;
    /** PGSQL_AF_INET is the platform's AF_INET, 2 on every server PostgreSQL supports; PGSQL_AF_INET6 is one more. */
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 3;

    private PgBinaryCodec() {
    }

    @Override
    public Object decode(ColumnType type, byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        return switch (type.kind()) {
            case INTEGER -> integer(type, b);
            case DECIMAL -> PgNumeric.decode(bytes);
            case FLOAT -> type.width() == 4 ? (double) exactly(b, 4).getFloat() : exactly(b, 8).getDouble();
            case BOOLEAN -> exactly(b, 1).get() != 0;
            case TEXT -> new String(bytes, StandardCharsets.UTF_8);
            case JSON -> json(type, bytes);
            case BYTES -> bytes;
            case DATE -> date(exactly(b, 4).getInt());
            case TIMESTAMP -> timestamp(exactly(b, 8).getLong(), false);
            case TIMESTAMPTZ -> timestamp(exactly(b, 8).getLong(), true);
            case TIME -> Duration.of(exactly(b, 8).getLong(), ChronoUnit.MICROS);
            case UUID -> new UUID(exactly(b, 16).getLong(), b.getLong());
            case INET -> inet(bytes);
            default -> bytes;
        };
    }

    @Override
    public byte[] encode(ColumnType type, Object value) {
        return switch (type.kind()) {
            case INTEGER -> integer(type.width(), (BigInteger) value);
            case DECIMAL -> PgNumeric.encode(value);
            case FLOAT -> type.width() == 4 ? ByteBuffer.allocate(4).putFloat(((Double) value).floatValue()).array()
                    : ByteBuffer.allocate(8).putDouble((Double) value).array();
            case BOOLEAN -> new byte[] {(byte) ((Boolean) value ? 1 : 0)};
            case TEXT -> ((String) value).getBytes(StandardCharsets.UTF_8);
            case JSON -> json(type, (String) value);
            case BYTES -> (byte[]) value;
            case DATE -> ByteBuffer.allocate(4).putInt(days(value)).array();
            case TIMESTAMP, TIMESTAMPTZ -> ByteBuffer.allocate(8).putLong(micros(value)).array();
            case TIME -> ByteBuffer.allocate(8).putLong(((Duration) value).toNanos() / 1000).array();
            case UUID -> ByteBuffer.allocate(16).putLong(((UUID) value).getMostSignificantBits())
                    .putLong(((UUID) value).getLeastSignificantBits()).array();
            case INET -> inet((InetValue) value);
            case ARRAY -> emptyArray(type, value);
            default -> throw new IllegalArgumentException("no binary form for " + type.kind());
        };
    }

    private static ByteBuffer exactly(ByteBuffer b, int size) {
        if (b.remaining() != size) {
            throw new IllegalArgumentException("a binary value of " + size + " bytes has " + b.remaining());
        }
        return b;
    }

    private static BigInteger integer(ColumnType type, ByteBuffer b) {
        long v = switch (type.width()) {
            case 2 -> exactly(b, 2).getShort();
            case 4 -> type.unsigned() ? exactly(b, 4).getInt() & 0xffffffffL : exactly(b, 4).getInt();
            default -> exactly(b, 8).getLong();
        };
        return BigInteger.valueOf(v);
    }

    private static byte[] integer(int width, BigInteger v) {
        ByteBuffer b = ByteBuffer.allocate(width);
        switch (width) {
            case 2 -> b.putShort(v.shortValue());
            case 4 -> b.putInt(v.intValue());
            default -> b.putLong(v.longValue());
        }
        return b.array();
    }

    private static Object json(ColumnType type, byte[] bytes) {
        if (type.typeId() != PgColumnTypes.JSONB) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
        if (bytes.length == 0 || bytes[0] != JSONB_VERSION) {
            throw new IllegalArgumentException("jsonb of an unknown version");
        }
        return new String(bytes, 1, bytes.length - 1, StandardCharsets.UTF_8);
    }

    private static byte[] json(ColumnType type, String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        if (type.typeId() != PgColumnTypes.JSONB) {
            return utf8;
        }
        byte[] out = new byte[utf8.length + 1];
        out[0] = JSONB_VERSION;
        System.arraycopy(utf8, 0, out, 1, utf8.length);
        return out;
    }

    private static Object date(int days) {
        if (days == Integer.MAX_VALUE) {
            return Special.INFINITY;
        }
        if (days == Integer.MIN_VALUE) {
            return Special.MINUS_INFINITY;
        }
        return EPOCH.plusDays(days);
    }

    private static int days(Object v) {
        if (v == Special.INFINITY) {
            return Integer.MAX_VALUE;
        }
        if (v == Special.MINUS_INFINITY) {
            return Integer.MIN_VALUE;
        }
        return Math.toIntExact(ChronoUnit.DAYS.between(EPOCH, (LocalDate) v));
    }

    private static Object timestamp(long micros, boolean withZone) {
        if (micros == Long.MAX_VALUE) {
            return Special.INFINITY;
        }
        if (micros == Long.MIN_VALUE) {
            return Special.MINUS_INFINITY;
        }
        LocalDateTime t = EPOCH_TIME.plus(micros, ChronoUnit.MICROS);
        return withZone ? OffsetDateTime.of(t, ZoneOffset.UTC) : t;
    }

    private static long micros(Object v) {
        if (v == Special.INFINITY) {
            return Long.MAX_VALUE;
        }
        if (v == Special.MINUS_INFINITY) {
            return Long.MIN_VALUE;
        }
        LocalDateTime t = v instanceof OffsetDateTime o
                ? o.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime() : (LocalDateTime) v;
        return ChronoUnit.MICROS.between(EPOCH_TIME, t);
    }

    private static InetValue inet(byte[] bytes) {
        if (bytes.length < 4 || bytes.length != 4 + (bytes[3] & 0xff)) {
            throw new IllegalArgumentException("inet of " + bytes.length + " bytes");
        }
        int family = bytes[0];
        int size = family == AF_INET ? 4 : family == AF_INET6 ? 16 : -1;
        if (size != (bytes[3] & 0xff)) {
            throw new IllegalArgumentException("inet family " + family + " with " + bytes[3] + " address bytes");
        }
        return new InetValue(Arrays.copyOfRange(bytes, 4, 4 + size), bytes[1] & 0xff);
    }

    private static byte[] inet(InetValue v) {
        byte[] a = v.address();
        ByteBuffer b = ByteBuffer.allocate(4 + a.length);
        return b.put((byte) (v.v4() ? AF_INET : AF_INET6)).put((byte) v.bits()).put((byte) 0).put((byte) a.length)
                .put(a).array();
    }

    private static byte[] emptyArray(ColumnType type, Object value) {
        if (value != Special.EMPTY_ARRAY) {
            throw new IllegalArgumentException("only the empty array is written");
        }
        return ByteBuffer.allocate(12).putInt(0).putInt(0).putInt(PgColumnTypes.elementOf(type.typeId())).array();
    }
}
