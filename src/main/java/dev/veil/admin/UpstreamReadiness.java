package dev.veil.admin;

import dev.veil.upstream.UpstreamRegistry;
import dev.veil.upstream.UpstreamSettings;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import jakarta.enterprise.context.ApplicationScoped;
import io.smallrye.health.api.AsyncHealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import java.util.ArrayList;
import java.util.List;

/**
 * Ready when every configured upstream accepts a TCP connection (within one second). Each upstream's
 * state is in the data; the check does not authenticate, so it costs the servers nothing but a connect.
 */
@Readiness
@ApplicationScoped
public class UpstreamReadiness implements AsyncHealthCheck {
    private final UpstreamRegistry upstreams;
    private final NetClient client;

    public UpstreamReadiness(UpstreamRegistry upstreams, Vertx vertx) {
        this.upstreams = upstreams;
        this.client = vertx.createNetClient(new NetClientOptions().setConnectTimeout(1000));
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        List<UpstreamSettings> all = new ArrayList<>(upstreams.all());
        List<Future<String>> probes = new ArrayList<>();
        for (UpstreamSettings u : all) {
            probes.add(client.connect(u.port(), u.host()).map(s -> {
                s.close();
                return "reachable";
            }).otherwise(e -> "unreachable: " + e.getMessage()));
        }
        Future<HealthCheckResponse> done = Future.join(probes).transform(ar -> {
            var b = HealthCheckResponse.named("veil-upstreams");
            boolean up = !all.isEmpty();
            for (int i = 0; i < all.size(); i++) {
                String state = probes.get(i).result();
                up &= "reachable".equals(state);
                b.withData("upstream." + all.get(i).name(), all.get(i).host() + ":" + all.get(i).port() + " " + state);
            }
            return Future.succeededFuture(b.status(up).build());
        });
        return Uni.createFrom().completionStage(done.toCompletionStage());
    }
}
