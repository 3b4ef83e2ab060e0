package dev.veil.masking;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;

/**
 * MySQL's binary rows ("Binary Protocol Value"), a value's content without its length prefix (the row
 * encoder writes the prefix, and the NULL bitmap for a masked NULL): little-endian integers of 1, 2, 4
 * (INT24 too) or 8 bytes, FLOAT and DOUBLE as IEEE, YEAR as 2 bytes; DATE, DATETIME and TIMESTAMP as 0
 * (the zero date), 4 (year 2 bytes, month, day), 7 (then hour, minute, second) or 11 bytes (then
 * microseconds, 4 bytes); TIME as 0, 8 (negative flag, days 4 bytes, hour, minute, second) or 12 bytes (then
 * microseconds). Strings, decimals, JSON and BIT are as in text rows ({@link MySqlTextCodec}).
 */
final class MySqlBinaryCodec implements WireCodec {
    static final MySqlBinaryCodec INSTANCE = new MySqlBinaryCodec();

    private MySqlBinaryCodec() {
    }

    @Override
    public Object decode(ColumnType type, byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        return switch (type.kind()) {
            case INTEGER -> integer(type, b);
            case FLOAT -> type.width() == 4 ? (double) exactly(b, 4).getFloat() : exactly(b, 8).getDouble();
            case YEAR -> (int) exactly(b, 2).getShort();
            case DATE, TIMESTAMP -> dateTime(type, b);
            case TIME -> time(b);
            default -> MySqlTextCodec.INSTANCE.decode(type, bytes);
        };
    }

    @Override
    public byte[] encode(ColumnType type, Object value) {
        return switch (type.kind()) {
            case INTEGER -> integer(type.width(), (BigInteger) value);
            case FLOAT -> type.width() == 4 ? le(4).putFloat(((Double) value).floatValue()).array()
                    : le(8).putDouble((Double) value).array();
            case YEAR -> le(2).putShort(((Integer) value).shortValue()).array();
            case DATE -> value == Special.ZERO_DATE ? new byte[0] : date(le(4), (LocalDate) value).array();
            case TIMESTAMP -> dateTime(value);
            case TIME -> time((Duration) value);
            default -> MySqlTextCodec.INSTANCE.encode(type, value);
        };
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static ByteBuffer exactly(ByteBuffer b, int size) {
        if (b.remaining() != size) {
            throw new IllegalArgumentException("a binary value of " + size + " bytes has " + b.remaining());
        }
        return b;
    }

    /** On the wire INT24 takes 4 bytes like LONG. */
    private static int wireBytes(int width) {
        return width == 3 ? 4 : width;
    }

    private static BigInteger integer(ColumnType type, ByteBuffer b) {
        int size = wireBytes(type.width());
        exactly(b, size);
        long v = switch (size) {
            case 1 -> type.unsigned() ? b.get() & 0xff : b.get();
            case 2 -> type.unsigned() ? b.getShort() & 0xffff : b.getShort();
            case 4 -> type.unsigned() ? b.getInt() & 0xffffffffL : b.getInt();
            default -> b.getLong();
        };
        BigInteger big = BigInteger.valueOf(v);
        return size == 8 && type.unsigned() && v < 0 ? big.add(BigInteger.ONE.shiftLeft(64)) : big;
    }

    private static byte[] integer(int width, BigInteger v) {
        int size = wireBytes(width);
        ByteBuffer b = le(size);
        switch (size) {
            case 1 -> b.put(v.byteValue());
            case 2 -> b.putShort(v.shortValue());
            case 4 -> b.putInt(v.intValue());
            default -> b.putLong(v.longValue());
        }
        return b.array();
    }

    private static Object dateTime(ColumnType type, ByteBuffer b) {
        int length = b.remaining();
        if (length == 0) {
            return Special.ZERO_DATE;
        }
        if (length != 4 && length != 7 && length != 11) {
            throw new IllegalArgumentException("a date of " + length + " bytes");
        }
        int year = b.getShort();
        int month = b.get();
        int day = b.get();
        int hour = length > 4 ? b.get() : 0;
        int minute = length > 4 ? b.get() : 0;
        int second = length > 4 ? b.get() : 0;
        int micros = length > 7 ? b.getInt() : 0;
        if (year == 0 && month == 0 && day == 0 && hour == 0 && minute == 0 && second == 0 && micros == 0) {
            return Special.ZERO_DATE;
        }
        LocalDate d = LocalDate.of(year, month, day);
        if (type.kind() == ColumnType.Kind.DATE) {
            return d;
        }
        return LocalDateTime.of(year, month, day, hour, minute, second, micros * 1000);
    }

    private static ByteBuffer date(ByteBuffer b, LocalDate d) {
        return b.putShort((short) d.getYear()).put((byte) d.getMonthValue()).put((byte) d.getDayOfMonth());
    }

    private static byte[] dateTime(Object value) {
        if (value == Special.ZERO_DATE) {
            return new byte[0];
        }
        LocalDateTime t = (LocalDateTime) value;
        int micros = t.getNano() / 1000;
        ByteBuffer b = date(le(micros == 0 ? 7 : 11), t.toLocalDate())
                .put((byte) t.getHour()).put((byte) t.getMinute()).put((byte) t.getSecond());
        if (micros != 0) {
            b.putInt(micros);
        }
        return b.array();
    }

    private static Duration time(ByteBuffer b) {
        int length = b.remaining();
        if (length == 0) {
            return Duration.ZERO;
        }
        if (length != 8 && length != 12) {
            throw new IllegalArgumentException("a time of " + length + " bytes");
        }
        boolean negative = b.get() != 0;
        Duration d = Duration.ofDays(b.getInt()).plusHours(b.get()).plusMinutes(b.get()).plusSeconds(b.get());
        if (length == 12) {
            d = d.plusNanos(b.getInt() * 1000L);
        }
        return negative ? d.negated() : d;
    }

    private static byte[] time(Duration value) {
        Duration abs = value.abs();
        int micros = abs.getNano() / 1000;
        long s = abs.getSeconds();
        ByteBuffer b = le(micros == 0 ? 8 : 12).put((byte) (value.isNegative() ? 1 : 0)).putInt((int) (s / 86400))
                .put((byte) ((s / 3600) % 24)).put((byte) ((s / 60) % 60)).put((byte) (s % 60));
        if (micros != 0) {
            b.putInt(micros);
        }
        return b.array();
    }
}
