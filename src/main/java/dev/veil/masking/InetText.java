package dev.veil.masking;

import java.io.ByteArrayOutputStream;

/**
 * The text form of inet values, parsed and written here rather than by InetAddress, which would look a
 * name up in DNS: "192.0.2.1", "192.0.2.0/24", "2001:db8::1", "::ffff:192.0.2.1/128".
 */
final class InetText {
    private InetText() {
    }

    static InetValue parse(String text) {
        int slash = text.indexOf('/');
        String address = slash < 0 ? text : text.substring(0, slash);
        byte[] bytes = address.indexOf(':') >= 0 ? v6(address) : v4(address);
        int bits = slash < 0 ? bytes.length * 8 : Integer.parseInt(text.substring(slash + 1));
        if (bits < 0 || bits > bytes.length * 8) {
            throw new IllegalArgumentException("netmask length out of range: " + text);
        }
        return new InetValue(bytes, bits);
    }

    static String format(InetValue v) {
        StringBuilder s = new StringBuilder();
        byte[] a = v.address();
        if (v.v4()) {
            for (int i = 0; i < 4; i++) {
                s.append(i == 0 ? "" : ".").append(a[i] & 0xff);
            }
        } else {
            // Eight groups, without the "::" shortening: a form every reader of IPv6 text accepts.
            for (int i = 0; i < 16; i += 2) {
                s.append(i == 0 ? "" : ":").append(Integer.toHexString(((a[i] & 0xff) << 8) | (a[i + 1] & 0xff)));
            }
        }
        if (v.bitsShown()) {
            s.append('/').append(v.bits());
        }
        return s.toString();
    }

    private static byte[] v4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address: " + s);
        }
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            int n = Integer.parseInt(parts[i]);
            if (n < 0 || n > 255 || parts[i].startsWith("+")) {
                throw new IllegalArgumentException("not an IPv4 address: " + s);
            }
            b[i] = (byte) n;
        }
        return b;
    }

    private static byte[] v6(String s) {
        int gap = s.indexOf("::");
        String head = gap < 0 ? s : s.substring(0, gap);
        String tail = gap < 0 ? "" : s.substring(gap + 2);
        ByteArrayOutputStream front = groups(head);
        ByteArrayOutputStream back = groups(tail);
        int missing = 16 - front.size() - back.size();
        if (missing < 0 || (gap < 0 && missing != 0) || (gap >= 0 && missing == 0)) {
            throw new IllegalArgumentException("not an IPv6 address: " + s);
        }
        byte[] b = new byte[16];
        System.arraycopy(front.toByteArray(), 0, b, 0, front.size());
        System.arraycopy(back.toByteArray(), 0, b, 16 - back.size(), back.size());
        return b;
    }

    private static ByteArrayOutputStream groups(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (s.isEmpty()) {
            return out;
        }
        String[] parts = s.split(":", -1);
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            if (i == parts.length - 1 && p.indexOf('.') >= 0) {
                out.writeBytes(v4(p));
            } else {
                if (p.isEmpty() || p.length() > 4) {
                    throw new IllegalArgumentException("not an IPv6 group: '" + p + "'");
                }
                int n = Integer.parseInt(p, 16);
                out.write(n >> 8);
                out.write(n & 0xff);
            }
        }
        return out;
    }
}
