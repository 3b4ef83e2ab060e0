package dev.veil.admin;

import dev.veil.identity.Authenticator;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Priorities;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Holds back a request that carries credentials until the login throttle admits it (identity/LoginThrottle):
 * after failed logins from its address, or for its Basic user name, it waits on a timer before any resource
 * sees it. The filter runs on the event loop and suspends the request, so no thread waits.
 */
public class AdminLoginGate {
    private final Authenticator authenticator;

    public AdminLoginGate(Authenticator authenticator) {
        this.authenticator = authenticator;
    }

    // RESTEasy Reactive runs non-blocking filters before the others and refuses to build when one is ordered after a
    // blocking one (the console's filters are blocking): the throttle comes first, explicitly.
    @ServerRequestFilter(nonBlocking = true, priority = Priorities.AUTHENTICATION)
    public Uni<Void> admit(HttpServerRequest request) {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null) {
            return Uni.createFrom().voidItem();
        }
        return Uni.createFrom().completionStage(authenticator.admit(AdminCredentials.address(request),
                AdminCredentials.basicUser(header)).toCompletionStage());
    }
}
