package dev.veil.frontend;

import io.vertx.core.Future;
import io.vertx.core.net.NetSocket;

/** One wire protocol's front end, as its listener sees it: it takes accepted sockets. */
public interface WireEngine {
    /** The protocol's name in status, metrics and logs: postgresql or mysql. */
    String protocol();

    /** The human name of the protocol for log lines. */
    String displayName();

    /** Work before the port opens (MySQL: learn the upstream servers' greetings); completes when done. */
    default Future<Void> beforeListening() {
        return Future.succeededFuture();
    }

    /** Whether clients may upgrade to TLS on this listener (a certificate is loaded and TLS is not off). */
    void tlsAvailable(boolean available);

    boolean isTlsAvailable();

    /** Takes a newly accepted socket, on the event loop that will serve it. */
    void accept(NetSocket socket);
}
