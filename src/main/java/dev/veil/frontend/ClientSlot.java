package dev.veil.frontend;

/**
 * The place an admitted client connection takes in its listener's limits: it counts as logging in until
 * {@link #loggedIn()}, and as a client until {@link #release()}. Both are idempotent, so every path that ends a
 * connection may call them. Confined to the connection's event loop.
 */
public final class ClientSlot {
    private final ClientAdmission admission;
    private final String address;
    private boolean authenticating = true;
    private boolean held = true;

    ClientSlot(ClientAdmission admission, String address) {
        this.admission = admission;
        this.address = address;
    }

    /** The client is logged in: it no longer counts against the limits of connections logging in. */
    void loggedIn() {
        if (authenticating) {
            authenticating = false;
            admission.loggedIn(address);
        }
    }

    /** The connection is gone. */
    void release() {
        loggedIn();
        if (held) {
            held = false;
            admission.left();
        }
    }
}
