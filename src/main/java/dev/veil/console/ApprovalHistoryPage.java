package dev.veil.console;

import dev.veil.approval.ApprovalHistory;
import dev.veil.approval.ApprovalRequest.Status;
import dev.veil.approval.Approvals;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateData;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * The history of decided approval requests (approved, denied, used, expired), newest first, filtered by requester,
 * status and the time they were made (UTC), {@link #PAGE} to a page ({@link ApprovalHistory}). Reading it changes
 * nothing and reads no audit record, so it is not an admin action.
 */
@Path("/console/approval-history")
public class ApprovalHistoryPage {
    static final int PAGE = 25;

    /** The filters as filled in, to show them again. */
    @TemplateData
    public record Filters(String requester, String status, String from, String to) {
    }

    private final ConsoleGate gate;
    private final Approvals approvals;

    @Inject
    @Location("console/approval-history")
    Template page;

    public ApprovalHistoryPage(ConsoleGate gate, Approvals approvals) {
        this.gate = gate;
        this.approvals = approvals;
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public Response history(@CookieParam(ConsoleSessions.COOKIE) String token, @QueryParam("requester") String requester,
                            @QueryParam("status") String status, @QueryParam("from") String from,
                            @QueryParam("to") String to, @QueryParam("after") String after) throws Exception {
        ConsoleUser u = gate.viewer(token);
        Filters f = new Filters(blankToNull(requester), blankToNull(status), blankToNull(from), blankToNull(to));
        TemplateInstance t = ConsoleGate.page(page, u, "/console/approvals", "Approval history").data("f", f)
                .data("rows", List.of()).data("next", null).data("error", null);
        if (approvals.unavailableReason() != null) {
            return render(503, t.data("error", approvals.unavailableReason()));
        }
        ApprovalHistory.Query q;
        try {
            Status s = f.status() == null ? null : status(f.status());
            if (s == Status.PENDING) {
                throw new IllegalArgumentException("pending requests are in the inbox, not the history");
            }
            ApprovalHistory.Cursor cursor = ApprovalHistory.Cursor.parse(blankToNull(after));
            if (after != null && !after.isBlank() && cursor == null) {
                throw new IllegalArgumentException("the page cursor " + after + " is not one this page wrote");
            }
            q = new ApprovalHistory.Query(f.requester(), s, AuditPage.instant(f.from()), AuditPage.instant(f.to()), cursor, PAGE);
        } catch (DateTimeParseException | IllegalArgumentException e) {
            return render(400, t.data("error", "Bad filter: " + e.getMessage() + ". Status is approved, denied, used or "
                    + "expired; times are 2026-12-06, 2026-12-06T15:30 (UTC) or an instant like 2026-12-06T15:30:00Z."));
        }
        Instant now = approvals.clock().instant();
        ApprovalHistory.Page p = ApprovalsPage.await(new ApprovalHistory(approvals.store()).page(q, now));
        String next = p.next() == null ? null : "/console/approval-history?requester=" + enc(f.requester()) + "&status="
                + enc(f.status()) + "&from=" + enc(f.from()) + "&to=" + enc(f.to()) + "&after=" + enc(p.next().text());
        return render(200, t.data("rows", p.requests().stream().map(r -> ApprovalsPage.row(r, now)).toList())
                .data("next", next));
    }

    private static Status status(String s) {
        try {
            return Status.parse(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("no status " + s);
        }
    }

    private static Response render(int status, TemplateInstance t) {
        return Response.status(status).type("text/html; charset=utf-8").entity(t.render()).build();
    }

    private static String enc(String s) {
        return s == null ? "" : URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
