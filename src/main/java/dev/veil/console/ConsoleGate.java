package dev.veil.console;

import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.net.URI;

/**
 * What every console page does first: find the signed-in user from the cookie (or send the browser to the sign-in
 * page), and for a form's POST check its CSRF token and, for actions that change something, the admin role.
 */
@ApplicationScoped
public class ConsoleGate {
    private static final Logger LOG = Logger.getLogger(ConsoleGate.class);
    static final String SIGN_IN = "/console/signin";

    private final ConsoleSessions sessions;

    @Inject
    @Location("console/refused")
    Template refused;

    public ConsoleGate(ConsoleSessions sessions) {
        this.sessions = sessions;
    }

    /** The signed-in user; without one (never signed in, signed out, idle too long) a redirect to the sign-in page. */
    ConsoleUser viewer(String token) {
        return sessions.find(token).orElseThrow(() -> new WebApplicationException(Response.seeOther(URI.create(SIGN_IN)).build()));
    }

    /** For a form's POST: signed in, the form's own CSRF token, and the admin role when the action changes something. */
    ConsoleUser actor(String token, String csrf, boolean adminOnly) {
        ConsoleUser u = viewer(token);
        if (!ConsoleSessions.sameToken(u.csrf(), csrf)) {
            throw refuse(u, "This form was not sent from the console page you were given (its CSRF token is missing or "
                    + "stale). Reload the page and try again.");
        }
        if (adminOnly && !u.admin()) {
            throw refuse(u, "This action needs the admin role; " + u.name() + " has read-only (auditor) access.");
        }
        return u;
    }

    WebApplicationException refuse(ConsoleUser u, String why) {
        return new WebApplicationException(refusal(u, why));
    }

    /** The 403 page: who was refused and why. */
    Response refusal(ConsoleUser u, String why) {
        String html = page(refused, u, "", "Not allowed").data("reason", why).render();
        return Response.status(403).type("text/html; charset=utf-8").entity(html).build();
    }

    /**
     * Fail closed: when the sign-ins cannot be checked (the control-plane database is down) nobody is signed in, and
     * the page says why instead of a 500 with a stack.
     */
    @ServerExceptionMapper
    public Response unavailable(SignInStore.SignInsUnavailable e) {
        LOG.warn(e.getMessage());
        String html = page(refused, null, "", "Sign-in unavailable").data("reason", e.getMessage()).render();
        return Response.status(503).type("text/html; charset=utf-8").entity(html).header("Retry-After", "10").build();
    }

    /** A page with what the layout needs: the user (null before sign-in), the navigation, the current page. */
    static TemplateInstance page(Template template, ConsoleUser user, String current, String title) {
        return template.data("user", user).data("nav", ConsoleNav.ITEMS).data("current", current).data("title", title);
    }
}
