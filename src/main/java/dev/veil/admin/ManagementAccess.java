package dev.veil.admin;

import dev.veil.identity.Authenticator;
import dev.veil.identity.Identity;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.Optional;

/**
 * Who may see what under {@code /q/} (health and Prometheus metrics, on the HTTP port). Without credentials:
 * the health views as {@link HealthSummary} (status per check, no data), so probes need none; everything else
 * under {@code /q/} is refused, {@code /q/metrics} included, since its series carry upstream and database
 * names. With an {@code Authorization} header: the same credentials as {@code /api/v1} ({@link AdminCredentials}:
 * HTTP Basic or an OIDC bearer token, after the login throttle, failures recorded as {@code auth.failed}); an
 * account with the admin role gets the full answers, any other 403.
 *
 * <p>A Quarkus filter, so it runs before the health and metrics handlers; those are Vert.x routes, which the
 * REST filters ({@link AdminLoginGate}) never see.
 */
@ApplicationScoped
public class ManagementAccess {
    static final String ROOT = "/q/";

    private final Authenticator authenticator;
    private final AdminCredentials credentials;
    private final HealthSummary summary;

    public ManagementAccess(Authenticator authenticator, AdminCredentials credentials, HealthSummary summary) {
        this.authenticator = authenticator;
        this.credentials = credentials;
        this.summary = summary;
    }

    void register(@Observes Filters filters) {
        filters.register(this::filter, 100);
    }

    private void filter(RoutingContext rc) {
        String path = rc.normalizedPath();
        if (!path.startsWith(ROOT)) {
            rc.next();
            return;
        }
        HttpServerRequest request = rc.request();
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null) {
            if (!summary.answer(path, rc)) {
                refuse(rc, 401, path + " needs an account with the admin role (HTTP Basic or an OIDC bearer token); "
                        + "without credentials only the health status is served (/q/health/ready, /q/health/live)");
            }
            return;
        }
        // Checking a secret is blocking work (SCRAM, token verification): a worker does it, unordered, so one
        // slow caller does not hold back the others on this event loop.
        authenticator.admit(AdminCredentials.address(request), AdminCredentials.basicUser(header))
                .compose(v -> rc.vertx().executeBlocking(() -> credentials.authenticate(header, request), false))
                .onComplete(ar -> {
                    if (ar.failed()) {
                        rc.fail(ar.cause());
                        return;
                    }
                    Optional<Identity> who = ar.result();
                    if (who.isEmpty()) {
                        refuse(rc, 401, "authentication required: the credentials were not accepted");
                    } else if (!who.get().roles().contains(AuditResource.ADMIN_ROLE)) {
                        refuse(rc, 403, path + " is for accounts with the admin role; without credentials only the "
                                + "health status is served");
                    } else {
                        rc.next();
                    }
                });
    }

    private static void refuse(RoutingContext rc, int status, String message) {
        var response = rc.response().setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=UTF-8")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        if (status == 401) {
            response.putHeader("WWW-Authenticate", AdminCredentials.CHALLENGE);
        }
        response.end(new JsonObject().put("error", message).encode());
    }
}
