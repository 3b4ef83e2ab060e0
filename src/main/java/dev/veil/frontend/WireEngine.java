package dev.veil.frontend;

import dev.veil.error.VeilException;
import dev.veil.config.Listener;
import dev.veil.session.GatewayStatus;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;

/**
 * One wire protocol's front end, as its listener sees it: it admits clients within its connection limits
 * ({@link ClientAdmission}), refuses the others in the protocol's own error format, and opens a connection
 * for each admitted one.
 */
public abstract class WireEngine {
    /**
     * How a protocol is named.
     *
     * @param name in status, metrics and logs: postgresql or mysql
     * @param displayName in log lines and messages
     * @param tooManyClients the server's own words for "too many connections", which clients and tools recognise
     * @param properties where its listener's properties are: veil.pg or veil.mysql
     */
    public record Protocol(String name, String displayName, String tooManyClients, String properties) {
    }

    /** What the engines of both wires share: identity, sessions, audit, upstreams, event loops. */
    protected final EngineContext context;
    private final Protocol protocol;
    private final Listener listener;
    private final ClientAdmission admission;
    private volatile boolean tlsAvailable;

    protected WireEngine(Protocol protocol, Listener listener, EngineContext context, GatewayStatus status) {
        this.protocol = protocol;
        this.listener = listener;
        this.context = context;
        this.admission = new ClientAdmission(protocol, listener, status);
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

    /** Where this listener's properties are (veil.pg, veil.mysql), for messages that name one. */
    public final String properties() {
        return protocol.properties();
    }

    /** The listener's settings. */
    public final Listener settings() {
        return listener;
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

    /**
     * Takes a newly accepted socket, on the event loop that will serve it. A client over a connection limit is
     * refused ({@link #refuse}); an admitted one holds its place until its socket closes, even when that happens
     * before its connection is opened.
     */
    public final void accept(NetSocket socket) {
        String address = socket.remoteAddress() == null ? "" : socket.remoteAddress().host();
        ClientSlot slot;
        try {
            slot = admission.admit(address);
        } catch (VeilException refusal) {
            refuse(socket, refusal);
            return;
        }
        socket.closeHandler(v -> slot.release()); // replaced by the connection's own, which releases it too
        open(socket, slot);
    }

    /** Refuses a client over a limit; by default its error goes out at once, in place of any greeting (MySQL). */
    protected void refuse(NetSocket socket, VeilException refusal) {
        socket.end(encodeRefusal(refusal));
    }

    /** A fatal error in the protocol's format, for a client that has sent nothing yet. */
    protected abstract Buffer encodeRefusal(VeilException e);

    /** Starts serving an admitted client; the connection releases {@code slot} when it ends. */
    protected abstract void open(NetSocket socket, ClientSlot slot);

    public final int clientConnections() {
        return admission.clients();
    }

    /** Connections not logged in yet. */
    public final int authenticatingConnections() {
        return admission.authenticating();
    }

    /** Connections from {@code address} not logged in yet. */
    public final int authenticatingConnectionsFrom(String address) {
        return admission.authenticatingFrom(address);
    }
}
