package dev.veil.console;

import dev.veil.config.VeilConfig;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * The console's pages are never cached, framed or sent on as a referrer, and load nothing from elsewhere; with
 * veil.console.enabled=false they do not exist.
 */
public class ConsoleFilters {
    private final boolean enabled;

    public ConsoleFilters(VeilConfig config) {
        this.enabled = config.console().enabled();
    }

    private static boolean console(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        return path.equals(ConsoleSessions.PATH) || path.startsWith(ConsoleSessions.PATH + "/");
    }

    @ServerRequestFilter
    public Response disabled(ContainerRequestContext request) {
        if (!enabled && console(request)) {
            return Response.status(404).type("text/plain; charset=utf-8")
                    .entity("The web console is off (veil.console.enabled=false).").build();
        }
        return null;
    }

    @ServerResponseFilter
    public void headers(ContainerRequestContext request, ContainerResponseContext response) {
        if (console(request)) {
            var h = response.getHeaders();
            h.putSingle("Cache-Control", "no-store");
            h.putSingle("Referrer-Policy", "no-referrer");
            h.putSingle("X-Frame-Options", "DENY");
            h.putSingle("X-Content-Type-Options", "nosniff");
            h.putSingle("Content-Security-Policy", "default-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
        }
    }
}
