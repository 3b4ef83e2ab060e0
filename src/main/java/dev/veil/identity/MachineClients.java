package dev.veil.identity;

import dev.veil.config.AgentSettings;
import dev.veil.config.VeilConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which identities are machines (veil.agents.clients): an OAuth client-credentials token of a listed client, a
 * token whose actor ({@code act}, RFC 8693 token exchange) is a listed client, or an account Veil holds under a
 * listed name. Applied once, after the secret is proven; the roles stay those the provider's role-map (or the
 * account's configuration) gave.
 */
@ApplicationScoped
public class MachineClients {
    /** What Veil knows of one machine client (veil.agents.clients.&lt;id&gt;). */
    public record Client(Identity.Kind kind, String owner, String provider, boolean allowWrites, int statementsPerMinute,
                         int rowsPerHour, String approvedChangesRole) {
        public Client(Identity.Kind kind, String owner, String provider, boolean allowWrites, int statementsPerMinute) {
            this(kind, owner, provider, allowWrites, statementsPerMinute, 0, null);
        }
    }

    private final Map<String, Client> clients = new ConcurrentHashMap<>();

    @Inject
    public MachineClients(VeilConfig config) {
        this(config.agents().clients());
    }

    public MachineClients(Map<String, AgentSettings.Client> configured) {
        configured.forEach((id, c) -> clients.put(id, new Client(
                "service".equals(c.kind().toLowerCase(Locale.ROOT)) ? Identity.Kind.SERVICE : Identity.Kind.AGENT,
                c.owner().orElse(null), c.provider().orElse(null), c.allowWrites(), c.statementsPerMinute(), c.rowsPerHour(),
                c.approvedChangesRole().orElse(null))));
    }

    /** Adds a client at run time (the demo's agent). */
    public void register(String clientId, Client client) {
        clients.put(clientId, client);
    }

    public Identity classify(Identity id) {
        String actor = actor(id.claims());
        String client = actor != null ? actor : clientOf(id);
        Client c = client == null ? null : clients.get(client);
        if (c != null && c.provider() != null && !c.provider().equals(id.provider())) {
            c = null; // listed for another provider: a client of the same name elsewhere is someone else
        }
        if (c == null) {
            return actor == null ? id : id.as(id.kind(), new Identity.Machine(client, null, actor, false, 0));
        }
        return id.as(c.kind(), new Identity.Machine(client, c.owner(), actor, c.allowWrites(), c.statementsPerMinute(),
                c.rowsPerHour(), c.approvedChangesRole()));
    }

    /** The client a session's secret came from: a token's client_id / azp when it is a client's own token, or an account's name. */
    private static String clientOf(Identity id) {
        if (id.source() == Identity.Source.OIDC_TOKEN) {
            return null; // a person's token: the client they logged in with is not who acts
        }
        Object c = id.claims().get("client_id");
        if (c == null) {
            c = id.claims().get("azp");
        }
        return c instanceof String s ? s : id.name();
    }

    /** RFC 8693 4.1: the current actor is the outermost {@code act}; its client_id, else its sub. */
    private static String actor(Map<String, Object> claims) {
        if (!(claims.get("act") instanceof Map<?, ?> act)) {
            return null;
        }
        Object who = act.get("client_id");
        if (who == null) {
            who = act.get("sub");
        }
        return who instanceof String s && !s.isBlank() ? s : null;
    }
}
