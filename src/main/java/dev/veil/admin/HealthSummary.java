package dev.veil.admin;

import io.smallrye.health.SmallRyeHealth;
import io.smallrye.health.SmallRyeHealthReporter;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

/**
 * The health views for callers without credentials (kubelet probes, load balancers): the same checks and
 * the same 200 / 503, but each check only with its name and status. The checks' data names upstreams with
 * host:port, databases and catalogs, and the audit directory; {@link ManagementAccess} lets only admins reach
 * SmallRye's full answer.
 */
@ApplicationScoped
public class HealthSummary {
    private final SmallRyeHealthReporter reporter;

    public HealthSummary(SmallRyeHealthReporter reporter) {
        this.reporter = reporter;
    }

    /** Answers an anonymous request for one of the health views; false (nothing sent) for any other path. */
    boolean answer(String path, RoutingContext rc) {
        Uni<SmallRyeHealth> health = view(path.endsWith("/") ? path.substring(0, path.length() - 1) : path);
        if (health == null) {
            return false;
        }
        health.subscribe().with(h -> send(rc, h), rc::fail);
        return true;
    }

    private Uni<SmallRyeHealth> view(String path) {
        switch (path) {
            case "/q/health":
                return reporter.getHealthAsync();
            case "/q/health/live":
                return reporter.getLivenessAsync();
            case "/q/health/ready":
                return reporter.getReadinessAsync();
            case "/q/health/started":
                return reporter.getStartupAsync();
            case "/q/health/well":
                return reporter.getWellnessAsync();
            default:
                return null;
        }
    }

    private static void send(RoutingContext rc, SmallRyeHealth health) {
        JsonObject full = health.getPayload();
        JsonArrayBuilder checks = Json.createArrayBuilder();
        for (JsonValue v : full.getJsonArray("checks")) {
            JsonObject check = v.asJsonObject();
            checks.add(Json.createObjectBuilder().add("name", check.getString("name")).add("status", check.getString("status")));
        }
        String body = Json.createObjectBuilder().add("status", full.getString("status")).add("checks", checks).build().toString();
        rc.response().setStatusCode(health.isDown() ? 503 : 200)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=UTF-8")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                .end(body);
    }
}
