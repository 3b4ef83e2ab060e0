package dev.veil.approval;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.function.Consumer;

/**
 * veil.approvals.slack-url: each new request as a Slack incoming-webhook message ({@code text} for notifications
 * and clients without blocks, {@code blocks} for the rest): who asks, the statement (truncated), rule, environment,
 * database, and Approve / Deny buttons carrying signed links ({@link ApprovalLinks}). The buttons only open the
 * console's confirmation page; nothing is decided until the approver, signed in, confirms there.
 */
public final class SlackMessage implements Consumer<ApprovalRequest> {
    /** Slack cuts a section's text at 3000 characters; a statement longer than this is shown truncated. */
    static final int STATEMENT_CHARS = 600;

    private final JsonPost post;
    private final ApprovalLinks links;
    private final Clock clock;

    public SlackMessage(Vertx vertx, URI url, ApprovalLinks links, Clock clock) {
        this.post = new JsonPost(vertx, url, "the Slack webhook");
        this.links = links;
        this.clock = clock;
    }

    @Override
    public void accept(ApprovalRequest r) {
        Instant now = clock.instant();
        post.send(r.id(), of(r, links.console(r.id()), links.url(r, ApprovalLinks.Action.APPROVE, now),
                links.url(r, ApprovalLinks.Action.DENY, now), now));
    }

    /** The message for request {@code r}, with its console link and its approve and deny links. */
    static JsonObject of(ApprovalRequest r, String console, String approve, String deny, Instant now) {
        String statement = r.statement() == null ? "(not recorded)" : r.statement();
        if (statement.length() > STATEMENT_CHARS) {
            statement = statement.substring(0, STATEMENT_CHARS) + "…";
        }
        String database = r.upstream() + (r.database() == null ? "" : "/" + r.database());
        String text = r.identity() + " asks for approval to run a statement on " + database + " (" + r.environment()
                + "), rule " + r.rule() + ": " + oneLine(statement);
        JsonArray blocks = new JsonArray()
                .add(section("*" + esc(r.identity()) + "* asks for approval to run a statement"
                        + (r.reason() == null ? "" : " (" + esc(r.reason()) + ")")))
                // A code block ends at the first ``` inside it, so any in the statement are broken up.
                .add(section("```" + esc(statement).replace("```", "`\u200b``") + "```"))
                .add(new JsonObject().put("type", "section").put("fields", new JsonArray()
                        .add(mrkdwn("*Rule*\n" + esc(r.rule())))
                        .add(mrkdwn("*Environment*\n" + esc(r.environment())))
                        .add(mrkdwn("*Database*\n" + esc(database)))
                        .add(mrkdwn("*Approvers*\n" + r.approversNeeded() + " of role "
                                + esc(String.join(" or ", r.approverRoles()))))))
                .add(new JsonObject().put("type", "actions").put("block_id", "veil-approval-" + r.id())
                        .put("elements", new JsonArray()
                                .add(button("veil-approve", "Approve…", approve).put("style", "primary"))
                                .add(button("veil-deny", "Deny…", deny).put("style", "danger"))
                                .add(button("veil-open", "Open in the console", console))))
                .add(new JsonObject().put("type", "context").put("elements", new JsonArray().add(mrkdwn(
                        "Request " + r.id() + " · the buttons open a confirmation page in the Veil console (sign-in "
                                + "required), work once, and expire; posted "
                                + now.truncatedTo(ChronoUnit.SECONDS)))));
        return new JsonObject().put("text", esc(text)).put("blocks", blocks);
    }

    private static JsonObject section(String markdown) {
        return new JsonObject().put("type", "section").put("text", mrkdwn(markdown));
    }

    private static JsonObject mrkdwn(String text) {
        return new JsonObject().put("type", "mrkdwn").put("text", text);
    }

    private static JsonObject button(String actionId, String label, String url) {
        return new JsonObject().put("type", "button").put("action_id", actionId)
                .put("text", new JsonObject().put("type", "plain_text").put("text", label)).put("url", url);
    }

    /** Slack's three control characters in message text (its formatting syntax uses &lt; and &gt;). */
    private static String esc(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\s+", " ");
    }
}
