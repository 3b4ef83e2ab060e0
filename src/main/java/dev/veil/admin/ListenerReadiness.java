package dev.veil.admin;

import dev.veil.frontend.PgListener;
import dev.veil.frontend.pg.PgFrontend;
import dev.veil.upstream.UpstreamRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the PostgreSQL listener accepts connections; reports the pools for operators. */
@Readiness
@ApplicationScoped
public class ListenerReadiness implements HealthCheck {
    private final PgListener listener;
    private final PgFrontend frontend;
    private final UpstreamRegistry upstreams;

    public ListenerReadiness(PgListener listener, PgFrontend frontend, UpstreamRegistry upstreams) {
        this.listener = listener;
        this.frontend = frontend;
        this.upstreams = upstreams;
    }

    @Override
    public HealthCheckResponse call() {
        var b = HealthCheckResponse.named("veil-listeners").status(listener.listening())
                .withData("pg.clientConnections", frontend.clientConnections());
        upstreams.poolStats().forEach((name, s) -> b.withData("pool." + name,
                "total=" + s.total() + " idle=" + s.idle() + " waiting=" + s.waiting()));
        return b.build();
    }
}
