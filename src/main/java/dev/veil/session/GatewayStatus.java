package dev.veil.session;

import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the listeners report about themselves (up or not, open client connections), read by health checks
 * and metrics without those depending on the listeners.
 */
@ApplicationScoped
public class GatewayStatus {
    private final Map<String, Boolean> listeners = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> clientConnections = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> authenticatingConnections = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> refusedConnections = new ConcurrentHashMap<>();

    public void listener(String name, boolean up) {
        listeners.put(name, up);
    }

    /** True when at least one listener is configured and all configured listeners are up. */
    public boolean allListenersUp() {
        return !listeners.isEmpty() && listeners.values().stream().allMatch(Boolean::booleanValue);
    }

    public Map<String, Boolean> listeners() {
        return new TreeMap<>(listeners);
    }

    public AtomicInteger clientConnections(String listener) {
        return clientConnections.computeIfAbsent(listener, k -> new AtomicInteger());
    }

    /** Client connections not logged in yet. */
    public AtomicInteger authenticatingConnections(String listener) {
        return authenticatingConnections.computeIfAbsent(listener, k -> new AtomicInteger());
    }

    /** Clients refused at accept because a connection limit was reached ({@code limit}: the property's last part). */
    public AtomicLong refusedConnections(String listener, String limit) {
        return refusedConnections.computeIfAbsent(listener + "|" + limit, k -> new AtomicLong());
    }
}
