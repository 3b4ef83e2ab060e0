package dev.veil.frontend;

import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;
import dev.veil.config.Listener;
import dev.veil.session.GatewayStatus;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One wire protocol's front end, as its listener sees it: it counts the clients it serves, refuses those
 * beyond its limit at once (in the protocol's own error format), and opens a connection for the others.
 */
public abstract class WireEngine {
    /**
     * How a protocol is named.
     *
     * @param name in status, metrics and logs: postgresql or mysql
     * @param displayName in log lines and messages
     * @param tooManyClients the server's own words for "too many connections", which clients and tools recognise
     */
    public record Protocol(String name, String displayName, String tooManyClients) {
    }

    /** What the engines of both wires share: identity, sessions, audit, upstreams, event loops. */
    protected final EngineContext context;
    private final Protocol protocol;
    private final AtomicInteger clients;
    private final int maxClients;
    private volatile boolean tlsAvailable;

    protected WireEngine(Protocol protocol, Listener listener, EngineContext context, GatewayStatus status) {
        this.protocol = protocol;
        this.context = context;
        this.clients = status.clientConnections(protocol.name());
        this.maxClients = listener.maxClientConnections();
    }

    public final EngineContext context() {
        return context;
    }

    public final String protocol() {
        return protocol.name();
    }

    public final String displayName() {
        return protocol.displayName();
    }

    /** Work before the port opens (MySQL: learn the upstream servers' greetings); completes when done. */
    public Future<Void> beforeListening() {
        return Future.succeededFuture();
    }

    /** Whether clients may upgrade to TLS on this listener (a certificate is loaded and TLS is not off). */
    public final void tlsAvailable(boolean available) {
        this.tlsAvailable = available;
    }

    public final boolean isTlsAvailable() {
        return tlsAvailable;
    }

    /** Takes a newly accepted socket, on the event loop that will serve it; beyond the limit the client gets 53300 / 1040 at once. */
    public final void accept(NetSocket socket) {
        if (clients.incrementAndGet() > maxClients) {
            clients.decrementAndGet();
            socket.end(encodeRefusal(VeilException.fatal(ErrorCode.TOO_MANY_CONNECTIONS, protocol.tooManyClients() + ": Veil accepts at most "
                    + maxClients + " " + protocol.displayName() + " connections")));
            return;
        }
        open(socket);
    }

    /** A fatal error in the protocol's format, for a client that has sent nothing yet. */
    protected abstract Buffer encodeRefusal(VeilException e);

    /** Starts serving an admitted client; the connection calls {@link #clientGone()} when it ends. */
    protected abstract void open(NetSocket socket);

    public final void clientGone() {
        clients.decrementAndGet();
    }

    public final int clientConnections() {
        return clients.get();
    }
}
