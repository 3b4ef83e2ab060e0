package dev.veil.masking;

/**
 * An inet value: 4 or 16 address bytes and the netmask length; {@code bitsShown} says whether the text form
 * shows it (PostgreSQL prints "/n" only when it is not the full address length).
 */
record InetValue(byte[] address, int bits) {
    boolean v4() {
        return address.length == 4;
    }

    boolean bitsShown() {
        return bits != address.length * 8;
    }
}
