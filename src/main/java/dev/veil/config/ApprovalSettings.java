package dev.veil.config;

import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/**
 * {@code veil.approvals.*}: where approval requests live and how long clients wait (docs/approvals.md). The
 * requests are rows of a table in a control-plane PostgreSQL database, so every Veil instance sharing it sees
 * and decides the same requests.
 */
public interface ApprovalSettings {
    /**
     * The control-plane database of the requests table. Not enabled: the audit table's database
     * (veil.audit.postgres, when enabled), or demo mode's embedded PostgreSQL; without any, a statement a rule
     * holds for approval is refused, saying approvals are not configured.
     */
    ControlPlane controlPlane();

    /** The requests table (created if missing); optionally schema-qualified. */
    @WithDefault("veil_approvals")
    String table();

    /** How long a client waits for a decision when the rule does not say (its {@code timeout}). */
    @WithDefault("5m")
    Duration timeout();

    /**
     * How long a request stays open for a decision: a client that timed out or cancelled can run the same
     * statement again once it is approved, within this time.
     */
    @WithDefault("24h")
    Duration requestLifetime();

    /** How often a waiting session reads its request again (each pod polls the shared table). */
    @WithDefault("300ms")
    Duration pollInterval();

    /** The longest window an approver may give (mode window, minutes). */
    @WithDefault("8h")
    Duration longestWindow();

    /**
     * The base of the links clients are shown ({@code <console-url>/console/approvals/<id>}); unset: the admin
     * HTTP address this instance listens on.
     */
    Optional<String> consoleUrl();

    /** A URL that gets a JSON POST for each new request (a generic webhook); unset: none. */
    Optional<String> webhookUrl();

    /**
     * A Slack incoming-webhook URL (or anything that takes Slack's {@code text} + {@code blocks} messages): each new
     * request is posted with signed approve / deny links; unset: none.
     */
    Optional<String> slackUrl();

    /**
     * The HMAC-SHA256 key that signs approve / deny links (at least 32 characters; the same on every instance, e.g.
     * from the environment as VEIL_APPROVALS_LINK_SECRET). Unset: a random key per process, with a warning (a link
     * then works only on the instance that made it, and until it restarts).
     */
    Optional<String> linkSecret();

    /** How long an approve / deny link works (never past its request's lifetime). */
    @WithDefault("1h")
    Duration linkLifetime();

    /** The control-plane database: an endpoint like an upstream, with the audit database's defaults. */
    interface ControlPlane extends Endpoint {
        /** Use this database (rather than the audit table's or the demo's). */
        @WithDefault("false")
        boolean enabled();

        @Override
        @WithDefault("127.0.0.1")
        String host();

        @Override
        @WithDefault("veil")
        String database();

        @Override
        @WithDefault("veil")
        String user();
    }
}
