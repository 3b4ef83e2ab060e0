package dev.veil.frontend;

/**
 * Whether a client connected from this machine: both listeners accept cleartext passwords (and, later,
 * tokens) without TLS only from loopback, where nothing on the network can read them.
 */
public final class LoopbackAddress {
    private LoopbackAddress() {
    }

    public static boolean is(String host) {
        return host.startsWith("127.") || host.equals("0:0:0:0:0:0:0:1") || host.equals("::1");
    }
}
