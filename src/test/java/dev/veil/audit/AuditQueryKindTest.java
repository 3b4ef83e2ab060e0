package dev.veil.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code veil audit search --kind agent}: the session starts of agents, by the kind their identity was recorded with. */
class AuditQueryKindTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static AuditQuery kind(String kind) {
        return new AuditQuery(null, null, null, null, null, null, null, null, Integer.MAX_VALUE,
                AuditQuery.Order.OLDEST_FIRST, null, null, kind);
    }

    private static JsonNode record(String json) throws Exception {
        return JSON.readTree(json);
    }

    @Test
    void aKindKeepsTheSessionStartsOfThatKind() throws Exception {
        JsonNode agent = record("{\"type\":\"session.started\",\"identity\":{\"name\":\"bot\",\"kind\":\"agent\","
                + "\"clientId\":\"bot\",\"owner\":\"alice\"},\"applicationName\":\"veil-mcp:run_read_query\"}");
        JsonNode person = record("{\"type\":\"session.started\",\"identity\":{\"name\":\"ann\",\"kind\":\"person\"}}");
        JsonNode older = record("{\"type\":\"session.started\",\"identity\":{\"name\":\"ann\"}}");
        JsonNode statement = record("{\"type\":\"statement.decided\",\"identityName\":\"bot\"}");
        assertThat(kind("agent").matches(agent)).isTrue();
        assertThat(kind("AGENT").matches(agent)).isTrue();
        assertThat(kind("agent").matches(person)).isFalse();
        assertThat(kind("agent").matches(older)).isFalse();
        assertThat(kind("agent").matches(statement)).isFalse();
        assertThat(kind(null).matches(statement)).isTrue();
    }
}
