package dev.veil.config;

import io.smallrye.config.WithDefault;

import java.util.Map;
import java.util.Optional;

/**
 * Machine identities (veil.agents): which OAuth clients are AI agents or services, who owns them, and what Veil
 * lets them do. A client-credentials token whose client id (or, after a token exchange, whose actor) is listed
 * here becomes an identity of that kind; its roles still come from the provider's role-map. See docs/agents.md.
 */
public interface AgentSettings {

    /** Client id → what Veil knows of that client. */
    Map<String, Client> clients();

    interface Client {
        /** agent or service. */
        @WithDefault("agent")
        String kind();

        /** The person answerable for the client (recorded with its sessions; policy: identity.owner). */
        Optional<String> owner();

        /** Only tokens of this provider (a name under veil.identity.oidc) count; unset: any provider. */
        Optional<String> provider();

        /**
         * An agent may change data only when this is true (and the policy allows it): without it every statement
         * that is not a plain read is refused by the built-in rule builtin.agent-read-only.
         */
        @WithDefault("false")
        boolean allowWrites();

        /** Statements per minute over all of the client's sessions (wire and MCP); 0: no limit. */
        @WithDefault("0")
        int statementsPerMinute();

        /** Rows returned and rows affected per clock hour over all of the client's sessions; 0: no limit. */
        @WithDefault("0")
        int rowsPerHour();

        /**
         * The role (of veil.upstreams.&lt;u&gt;.role-users) whose database user runs the changes of this agent that
         * a person approved (MCP get_change_result); unset: the agent's own database user, which stays read-only
         * when its role's is. Only approved statements run on it.
         */
        Optional<String> approvedChangesRole();
    }
}
