package dev.veil.admin;

import dev.veil.identity.Authenticator;
import io.smallrye.mutiny.Uni;
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

    @ServerRequestFilter(nonBlocking = true)
    public Uni<Void> admit(HttpServerRequest request) {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null) {
            return Uni.createFrom().voidItem();
        }
        return Uni.createFrom().completionStage(authenticator.admit(AdminCredentials.address(request),
                AdminCredentials.basicUser(header)).toCompletionStage());
    }
}
