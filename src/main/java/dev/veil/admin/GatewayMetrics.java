package dev.veil.admin;

import dev.veil.config.VeilConfig;
import dev.veil.session.GatewayStatus;
import dev.veil.session.SessionRegistry;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import jakarta.enterprise.context.ApplicationScoped;

/** Client-side gauges: connections per protocol (listener) and environment, open sessions. */
@ApplicationScoped
public class GatewayMetrics implements MeterBinder {
    /** The listener names front ends count their connections under (GatewayStatus#clientConnections). */
    static final String[] PROTOCOLS = {"postgresql", "mysql"};

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
        }
        Gauge.builder("veil.sessions.open", sessions, SessionRegistry::openSessions)
                .tags("environment", environment).description("Authenticated client sessions").register(registry);
    }
}
