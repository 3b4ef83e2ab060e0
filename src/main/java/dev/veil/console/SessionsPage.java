package dev.veil.console;

import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;
import dev.veil.session.Session;
import dev.veil.session.SessionRegistry;
import dev.veil.upstream.UpstreamRegistry;
import dev.veil.upstream.UpstreamSettings;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateData;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.net.URI;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The live sessions ({@link SessionRegistry}) and their termination. Terminating ends the client's connection as
 * the server would on pg_terminate_backend: PostgreSQL clients get FATAL 57P01, MySQL clients ERR 1927 (SQLSTATE
 * 70100), each with a message naming the administrator; a statement it was running is closed with its server
 * connection. Recorded as {@code admin.action} {@code session.terminate} before it is done; admin role only.
 */
@Path("/console/sessions")
public class SessionsPage {
    private static final int STATEMENT_SHOWN = 200;

    @TemplateData
    public record Row(long id, String identity, String wire, String client, boolean tls, String database, String started,
                      String statement) {
    }

    private final ConsoleGate gate;
    private final ConsoleActions actions;
    private final SessionRegistry registry;
    private final UpstreamRegistry upstreams;

    @Inject
    @Location("console/sessions")
    Template page;

    public SessionsPage(ConsoleGate gate, ConsoleActions actions, SessionRegistry registry, UpstreamRegistry upstreams) {
        this.gate = gate;
        this.actions = actions;
        this.registry = registry;
        this.upstreams = upstreams;
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public Response list(@CookieParam(ConsoleSessions.COOKIE) String token, @QueryParam("terminated") Long terminated) {
        ConsoleUser u = gate.viewer(token);
        List<Row> rows = registry.sessions().stream().sorted(Comparator.comparing(Session::startedAt)).map(this::row).toList();
        String html = ConsoleGate.page(page, u, "/console/sessions", "Sessions").data("rows", rows)
                .data("terminated", terminated).render();
        return Response.ok(html, "text/html; charset=utf-8").build();
    }

    @POST
    @Path("{id}/terminate")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response terminate(@CookieParam(ConsoleSessions.COOKIE) String token, @FormParam("csrf") String csrf,
                              @PathParam("id") long id) {
        ConsoleUser u = gate.actor(token, csrf, true);
        Optional<Session> s = registry.find(id);
        Map<String, String> detail = new LinkedHashMap<>();
        detail.put("session", Long.toString(id));
        s.ifPresent(x -> detail.put("identity", x.identity().name()));
        actions.record(u.name(), "session.terminate", "/console/sessions/" + id + "/terminate", detail, s.isPresent());
        if (s.isEmpty()) {
            return gate.refusal(u, "Session " + id + " is not live any more: it ended before it could be terminated.");
        }
        s.get().end(VeilException.fatal(ErrorCode.ADMIN_TERMINATED, "terminating connection due to administrator command: "
                + u.name() + " ended this session from the Veil console"));
        return Response.seeOther(URI.create("/console/sessions?terminated=" + id)).build();
    }

    private Row row(Session s) {
        // The wire is the upstream's protocol: every kind but postgresql (mysql, mariadb) speaks MySQL's.
        String wire = upstreams.find(s.upstream()).map(UpstreamSettings::kind)
                .map(k -> k.equalsIgnoreCase("postgresql") ? "postgresql" : "mysql").orElse("");
        String statement = s.lastStatement();
        if (statement != null && statement.length() > STATEMENT_SHOWN) {
            statement = statement.substring(0, STATEMENT_SHOWN) + "…";
        }
        return new Row(s.id(), s.identity().name(), wire, s.clientAddress(), s.tls(), s.upstream() + "/" + s.database(),
                s.startedAt().truncatedTo(ChronoUnit.SECONDS).toString(), statement == null ? "" : statement);
    }
}
