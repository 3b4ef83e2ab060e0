package dev.veil.admin;

import dev.veil.session.GatewayStatus;
import dev.veil.upstream.UpstreamRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once every configured listener accepts connections; reports connections and pools for operators. */
@Readiness
@ApplicationScoped
public class ListenerReadiness implements HealthCheck {
    private final GatewayStatus status;
    private final UpstreamRegistry upstreams;

    public ListenerReadiness(GatewayStatus status, UpstreamRegistry upstreams) {
        this.status = status;
        this.upstreams = upstreams;
    }

    @Override
    public HealthCheckResponse call() {
        var b = HealthCheckResponse.named("veil-listeners").status(status.allListenersUp());
        status.listeners().forEach((name, up) -> b.withData("listener." + name, up ? "up" : "down")
                .withData("listener." + name + ".clientConnections", status.clientConnections(name).get()));
        upstreams.poolStats().forEach((name, s) -> b.withData("pool." + name,
                "total=" + s.total() + " idle=" + s.idle() + " waiting=" + s.waiting()));
        return b.build();
    }
}
