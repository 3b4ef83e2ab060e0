package dev.veil.admin;

import dev.veil.config.VeilConfig;
import dev.veil.session.GatewayStatus;
import dev.veil.session.SessionRegistry;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import jakarta.enterprise.context.ApplicationScoped;

/** Client-side gauges: connections per protocol (listener) and environment, those not logged in yet, refusals, open sessions. */
@ApplicationScoped
public class GatewayMetrics implements MeterBinder {
    /** The listener names front ends count their connections under (GatewayStatus#clientConnections). */
    static final String[] PROTOCOLS = {"postgresql", "mysql"};
    /** The listener limits a client can be refused by at accept (GatewayStatus#refusedConnections). */
    static final String[] REFUSAL_LIMITS = {"max-client-connections", "max-authenticating-connections",
            "max-authenticating-per-address"};

    private final GatewayStatus status;
    private final SessionRegistry sessions;
    private final String environment;

    public GatewayMetrics(GatewayStatus status, SessionRegistry sessions, VeilConfig config) {
        this.status = status;
        this.sessions = sessions;
        this.environment = config.environment();
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (String protocol : PROTOCOLS) {
            Gauge.builder("veil.client.connections", status, s -> s.clientConnections(protocol).get())
                    .tags("protocol", protocol, "environment", environment)
                    .description("Open client connections").register(registry);
            Gauge.builder("veil.client.connections.authenticating", status, s -> s.authenticatingConnections(protocol).get())
                    .tags("protocol", protocol, "environment", environment)
                    .description("Client connections not logged in yet").register(registry);
            for (String limit : REFUSAL_LIMITS) {
                FunctionCounter.builder("veil.client.connections.refused", status, s -> s.refusedConnections(protocol, limit).get())
                        .tags("protocol", protocol, "limit", limit)
                        .description("Clients refused at accept because a connection limit was reached").register(registry);
            }
        }
        Gauge.builder("veil.sessions.open", sessions, SessionRegistry::openSessions)
                .tags("environment", environment).description("Authenticated client sessions").register(registry);
    }
}
