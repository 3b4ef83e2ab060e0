package dev.veil.frontend;

import dev.veil.config.Listener;
import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;
import dev.veil.session.GatewayStatus;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The connection limits of one listener, judged when a socket is accepted: all its client connections
 * (max-client-connections), and those not logged in yet, in all (max-authenticating-connections) and per
 * client address (max-authenticating-per-address). Without the last two, sockets that never log in would hold
 * every connection for the authentication timeout and lock everyone out. Safe from any event loop.
 */
final class ClientAdmission {
    private final WireEngine.Protocol protocol;
    private final GatewayStatus status;
    private final AtomicInteger clients;
    private final AtomicInteger authenticating;
    private final Map<String, Integer> authenticatingByAddress = new ConcurrentHashMap<>();
    private final int maxClients;
    private final int maxAuthenticating;
    private final int maxPerAddress;

    ClientAdmission(WireEngine.Protocol protocol, Listener listener, GatewayStatus status) {
        this.protocol = protocol;
        this.status = status;
        this.clients = status.clientConnections(protocol.name());
        this.authenticating = status.authenticatingConnections(protocol.name());
        this.maxClients = listener.maxClientConnections();
        this.maxAuthenticating = listener.maxAuthenticatingConnections();
        this.maxPerAddress = listener.maxAuthenticatingPerAddress();
    }

    /**
     * A place for a client from {@code address}, counted as logging in until it is.
     *
     * @throws VeilException 53300 / 1040 naming the limit that is reached
     */
    ClientSlot admit(String address) {
        if (clients.incrementAndGet() > maxClients) {
            clients.decrementAndGet();
            throw refusal("max-client-connections", "Veil accepts at most " + maxClients + " " + protocol.displayName()
                    + " connections");
        }
        if (authenticating.incrementAndGet() > maxAuthenticating) {
            authenticating.decrementAndGet();
            clients.decrementAndGet();
            throw refusal("max-authenticating-connections", maxAuthenticating + " " + protocol.displayName()
                    + " connections are logging in already, the most Veil lets log in at once; try again in a moment");
        }
        if (!enter(address)) {
            authenticating.decrementAndGet();
            clients.decrementAndGet();
            throw refusal("max-authenticating-per-address", maxPerAddress + " connections from " + address
                    + " are logging in already, the most Veil lets log in at once from one address; try again in a moment");
        }
        return new ClientSlot(this, address);
    }

    private boolean enter(String address) {
        boolean[] entered = {false};
        authenticatingByAddress.compute(address, (k, n) -> {
            int count = n == null ? 0 : n;
            if (count >= maxPerAddress) {
                return n;
            }
            entered[0] = true;
            return count + 1;
        });
        return entered[0];
    }

    void loggedIn(String address) {
        authenticatingByAddress.computeIfPresent(address, (k, n) -> n <= 1 ? null : n - 1);
        authenticating.decrementAndGet();
    }

    void left() {
        clients.decrementAndGet();
    }

    int clients() {
        return clients.get();
    }

    int authenticating() {
        return authenticating.get();
    }

    int authenticatingFrom(String address) {
        return authenticatingByAddress.getOrDefault(address, 0);
    }

    private VeilException refusal(String limit, String detail) {
        status.refusedConnections(protocol.name(), limit).incrementAndGet();
        return VeilException.fatal(ErrorCode.TOO_MANY_CONNECTIONS, protocol.tooManyClients() + ": " + detail + " ("
                + protocol.properties() + "." + limit + ")");
    }
}
