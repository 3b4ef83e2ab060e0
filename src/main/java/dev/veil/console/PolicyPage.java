package dev.veil.console;

import dev.veil.audit.LiteralRedactor;
import dev.veil.analysis.Dialect;
import dev.veil.policy.PolicyEngine;
import dev.veil.policy.PolicySet;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The policy in force (its version and source) and a dry-run form ({@link DryRun}). A dry-run is an
 * {@code admin.action} {@code policy.decide}, with the text as the audit trail keeps statements (literals redacted).
 */
@Path("/console/policy")
public class PolicyPage {
    private final ConsoleGate gate;
    private final ConsoleActions actions;
    private final PolicyEngine engine;
    private final DryRun dryRun;

    @Inject
    @Location("console/policy")
    Template page;

    public PolicyPage(ConsoleGate gate, ConsoleActions actions, PolicyEngine engine, DryRun dryRun) {
        this.gate = gate;
        this.actions = actions;
        this.engine = engine;
        this.dryRun = dryRun;
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public Response show(@CookieParam(ConsoleSessions.COOKIE) String token) {
        ConsoleUser u = gate.viewer(token);
        return render(200, base(u, new DryRun.Ask(null, null, "postgresql", null, "")));
    }

    @POST
    @Path("dry-run")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    public Response dryRun(@CookieParam(ConsoleSessions.COOKIE) String token, @FormParam("csrf") String csrf,
                           @FormParam("identity") String identity, @FormParam("role") String role,
                           @FormParam("dialect") String dialect, @FormParam("database") String database,
                           @FormParam("sql") String sql) {
        ConsoleUser u = gate.actor(token, csrf, false);
        DryRun.Ask ask = new DryRun.Ask(identity, role, dialect, database, sql);
        DryRun.Outcome outcome;
        try {
            outcome = dryRun.decide(ask);
        } catch (DryRun.Unanswerable e) {
            return render(400, base(u, ask).data("error", e.getMessage()));
        }
        Map<String, String> detail = new LinkedHashMap<>();
        detail.put("asker", ask.identity() != null ? ask.identity() : "role " + ask.role());
        detail.put("database", outcome.database());
        detail.put("statement", new LiteralRedactor("mysql".equalsIgnoreCase(ask.dialect()) ? Dialect.MYSQL : Dialect.POSTGRESQL)
                .redact(ask.sql()));
        detail.put("verdict", outcome.verdict());
        detail.put("rule", outcome.rule());
        PolicySet policy = engine.policy();
        if (policy != null) {
            detail.put("policyVersion", policy.version());
        }
        actions.record(u.name(), "policy.decide", "/console/policy/dry-run", detail, true);
        return render(200, base(u, ask).data("outcome", outcome));
    }

    private TemplateInstance base(ConsoleUser u, DryRun.Ask ask) {
        PolicySet policy = engine.policy();
        return ConsoleGate.page(page, u, "/console/policy", "Policy")
                .data("version", policy == null ? null : policy.version())
                .data("source", policy == null ? null : policy.source())
                .data("ask", ask).data("outcome", null).data("error", null);
    }

    private static Response render(int status, TemplateInstance t) {
        return Response.status(status).type("text/html; charset=utf-8").entity(t.render()).build();
    }
}
