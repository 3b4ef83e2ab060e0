package dev.veil.identity;

import dev.veil.testing.TestConfig;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Which identities veil.agents.clients makes machines: client tokens, token-exchange actors, accounts. */
class MachineClientsTest {
    private final MachineClients machines = new MachineClients(TestConfig.veil(Map.of(
            "veil.agents.clients.agent-a.owner", "alice@example.com",
            "veil.agents.clients.agent-a.statements-per-minute", "30",
            "veil.agents.clients.batch.kind", "service",
            "veil.agents.clients.batch.allow-writes", "true",
            "veil.agents.clients.other-idp-agent.provider", "corp")));

    private static Identity token(String name, Identity.Source source, Map<String, Object> claims) {
        return new Identity(name, List.of("analyst"), source, "kc", null, List.of(), claims);
    }

    @Test
    void aClientCredentialsTokenOfAListedClientIsAnAgentWithItsOwnerAndLimit() {
        Identity id = machines.classify(token("agent-a", Identity.Source.SERVICE_ACCOUNT, Map.of("client_id", "agent-a")));
        assertThat(id.kind()).isEqualTo(Identity.Kind.AGENT);
        assertThat(id.machine()).isEqualTo(new Identity.Machine("agent-a", "alice@example.com", null, false, 30));
        assertThat(id.roles()).containsExactly("analyst");
    }

    @Test
    void aListedServiceIsAServiceAndUnlistedClientsStayWhatTheyWere() {
        Identity batch = machines.classify(token("batch", Identity.Source.SERVICE_ACCOUNT, Map.of("azp", "batch")));
        assertThat(batch.kind()).isEqualTo(Identity.Kind.SERVICE);
        assertThat(batch.machine().allowWrites()).isTrue();
        Identity unlisted = token("svc", Identity.Source.SERVICE_ACCOUNT, Map.of("client_id", "svc"));
        assertThat(machines.classify(unlisted)).isEqualTo(unlisted);
        Identity person = token("ann@example.com", Identity.Source.OIDC_TOKEN, Map.of("azp", "agent-a"));
        assertThat(machines.classify(person).kind()).isEqualTo(Identity.Kind.PERSON);
    }

    @Test
    void aTokenExchangedForAnAgentCarriesTheSubjectAndTheActor() {
        Identity id = machines.classify(token("ann@example.com", Identity.Source.OIDC_TOKEN,
                Map.of("azp", "agent-a", "act", Map.of("sub", "service-account-agent-a", "client_id", "agent-a"))));
        assertThat(id.name()).isEqualTo("ann@example.com");
        assertThat(id.kind()).isEqualTo(Identity.Kind.AGENT);
        assertThat(id.machine().actor()).isEqualTo("agent-a");
        assertThat(id.machine().owner()).isEqualTo("alice@example.com");
        Identity unlistedActor = machines.classify(token("ann@example.com", Identity.Source.OIDC_TOKEN,
                Map.of("act", Map.of("sub", "some-tool"))));
        assertThat(unlistedActor.kind()).isEqualTo(Identity.Kind.PERSON);
        assertThat(unlistedActor.machine().actor()).isEqualTo("some-tool");
    }

    @Test
    void aClientListedForAnotherProviderIsNotTakenForIt() {
        Identity id = machines.classify(token("other-idp-agent", Identity.Source.SERVICE_ACCOUNT,
                Map.of("client_id", "other-idp-agent")));
        assertThat(id.kind()).isEqualTo(Identity.Kind.SERVICE);
        assertThat(id.machine()).isNull();
    }

    @Test
    void anAccountVeilHoldsUnderAListedNameIsAnAgent() {
        Identity id = machines.classify(new Identity("agent-a", List.of("analyst"), Identity.Source.LOCAL_ACCOUNT));
        assertThat(id.kind()).isEqualTo(Identity.Kind.AGENT);
        assertThat(id.machine().clientId()).isEqualTo("agent-a");
    }
}
