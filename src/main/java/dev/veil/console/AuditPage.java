package dev.veil.console;

import dev.veil.audit.AuditQuery;
import dev.veil.audit.AuditSearch;
import dev.veil.audit.AuditSource;
import dev.veil.audit.AuditVerifier;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateData;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The audit trail in the console: search (the filters of {@code veil audit search} and {@code GET /api/v1/audit},
 * through the same {@link AuditSearch}), verify the hash chain ({@link AuditVerifier}, as {@code veil audit verify}),
 * and download the SOC 2 evidence ({@link EvidenceZip}). Each is an {@code admin.action}: {@code audit.search}, {@code audit.verify}, {@code audit.evidence}.
 */
@Path("/console/audit")
public class AuditPage {
    static final int SHOWN = 200;

    /** The search form as filled in, to show it again with the results. */
    @TemplateData
    public record Filters(String identity, String relation, String tag, String decision, String rule, String from, String to) {
        Map<String, String> detail() {
            Map<String, String> d = new LinkedHashMap<>();
            d.put("identity", identity);
            d.put("relation", relation);
            d.put("tag", tag);
            d.put("decision", decision);
            d.put("rule", rule);
            d.put("from", from);
            d.put("to", to);
            return d;
        }
    }

    /** A verification's outcome, for the page. */
    @TemplateData
    public record Verified(boolean ok, long records, long firstSeq, long lastSeq, String lastHash, List<String> findings) {
    }

    private final ConsoleGate gate;
    private final ConsoleActions actions;
    private final ConsoleAuditSource sources;
    private final Clock clock;

    @Inject
    @Location("console/audit")
    Template page;

    public AuditPage(ConsoleGate gate, ConsoleActions actions, ConsoleAuditSource sources, Clock clock) {
        this.gate = gate;
        this.actions = actions;
        this.sources = sources;
        this.clock = clock;
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public Response search(@CookieParam(ConsoleSessions.COOKIE) String token, @QueryParam("identity") String identity,
                           @QueryParam("relation") String relation, @QueryParam("tag") String tag,
                           @QueryParam("decision") String decision, @QueryParam("rule") String rule,
                           @QueryParam("from") String from, @QueryParam("to") String to) {
        ConsoleUser u = gate.viewer(token);
        Filters f = new Filters(blankToNull(identity), blankToNull(relation), blankToNull(tag), blankToNull(decision),
                blankToNull(rule), blankToNull(from), blankToNull(to));
        AuditQuery q;
        try {
            q = new AuditQuery(f.identity(), instant(f.from()), instant(f.to()), f.relation(), f.tag(), f.decision(), f.rule(),
                    null, SHOWN + 1, AuditQuery.Order.NEWEST_FIRST, null, null);
        } catch (DateTimeParseException | IllegalArgumentException e) {
            return render(400, base(u, f).data("error", "Bad filter: " + e.getMessage()
                    + ". Times are 2026-12-06, 2026-12-06T15:30 (UTC) or an instant like 2026-12-06T15:30:00Z."));
        }
        actions.record(u.name(), "audit.search", "/console/audit", f.detail(), true);
        List<AuditRow> rows;
        try (AuditSource source = sources.open()) {
            rows = new AuditSearch(source).find(q).stream().map(m -> AuditRow.of(m.json())).toList();
        } catch (IOException e) {
            return render(503, base(u, f).data("error", "The audit records cannot be read: " + e.getMessage()));
        }
        boolean more = rows.size() > SHOWN;
        return render(200, base(u, f).data("rows", more ? rows.subList(0, SHOWN) : rows).data("more", more).data("searched", true));
    }

    @POST
    @Path("verify")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    public Response verify(@CookieParam(ConsoleSessions.COOKIE) String token, @FormParam("csrf") String csrf) {
        ConsoleUser u = gate.actor(token, csrf, false);
        actions.record(u.name(), "audit.verify", "/console/audit/verify", Map.of(), true);
        Filters none = new Filters(null, null, null, null, null, null, null);
        try (AuditSource source = sources.open()) {
            AuditVerifier.Result r = new AuditVerifier().verify(source, List.of(), false);
            Verified v = new Verified(r.ok(), r.records(), r.firstSeq(), r.lastSeq(), r.lastHash(),
                    r.findings().stream().map(AuditVerifier.Finding::toString).limit(50).toList());
            return render(200, base(u, none).data("verified", v));
        } catch (IOException e) {
            return render(503, base(u, none).data("error", "The audit records cannot be read: " + e.getMessage()));
        }
    }

    @POST
    @Path("evidence")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response evidence(@CookieParam(ConsoleSessions.COOKIE) String token, @FormParam("csrf") String csrf,
                             @FormParam("from") String from, @FormParam("to") String to) {
        ConsoleUser u = gate.actor(token, csrf, false);
        Instant start;
        Instant end;
        try {
            start = instant(blankToNull(from));
            end = instant(blankToNull(to));
        } catch (DateTimeParseException e) {
            return render(400, base(u, new Filters(null, null, null, null, null, from, to))
                    .data("error", "Bad time range for the evidence: " + e.getMessage()));
        }
        Map<String, String> detail = new LinkedHashMap<>();
        detail.put("from", from);
        detail.put("to", to);
        actions.record(u.name(), "audit.evidence", "/console/audit/evidence", detail, true);
        try (AuditSource source = sources.open()) {
            byte[] zip = EvidenceZip.of(source, start, end);
            String name = "soc2-evidence-" + LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC) + ".zip";
            return Response.ok(zip, "application/zip").header("Content-Disposition", "attachment; filename=\"" + name + "\"").build();
        } catch (IOException e) {
            return render(503, base(u, new Filters(null, null, null, null, null, null, null))
                    .data("error", "The evidence could not be built: " + e.getMessage()));
        }
    }

    private TemplateInstance base(ConsoleUser u, Filters f) {
        return ConsoleGate.page(page, u, "/console/audit", "Audit").data("f", f).data("rows", List.of()).data("more", false)
                .data("searched", false).data("verified", null).data("error", null);
    }

    private static Response render(int status, TemplateInstance t) {
        return Response.status(status).type("text/html; charset=utf-8").entity(t.render()).build();
    }

    /** A day (UTC midnight), a local date-time taken as UTC, or an instant. */
    static Instant instant(String s) {
        if (s == null) {
            return null;
        }
        String t = s.strip();
        if (t.length() == 10) {
            return LocalDate.parse(t).atStartOfDay().toInstant(ZoneOffset.UTC);
        }
        if (!t.endsWith("Z") && !t.contains("+")) {
            return LocalDateTime.parse(t).toInstant(ZoneOffset.UTC);
        }
        return Instant.parse(t);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
