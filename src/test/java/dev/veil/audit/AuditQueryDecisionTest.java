package dev.veil.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AuditQueryDecisionTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A write allowed by default while observe-mode rule no-writes would have refused it. */
    private static final String OBSERVED = """
            {"type":"statement.decided","decision":{"verdict":"allow","rule":"default.known-identity","reason":null,
             "policyVersion":"0123456789abcdef","observed":[{"rule":"no-writes","mode":"observe","verdict":"deny",
             "reason":"policy rule no-writes: no writes"}]}}""";
    private static final String REFUSED = """
            {"type":"statement.decided","decision":{"verdict":"deny","rule":"no-writes","reason":"policy rule no-writes: no writes",
             "policyVersion":"0123456789abcdef","observed":[]}}""";

    private static boolean matches(String decision, String rule, String record) throws Exception {
        JsonNode r = JSON.readTree(record);
        return new AuditQuery(null, null, null, null, null, decision, rule, null, 10).matches(r);
    }

    @Test
    void aRuleAndVerdictFindWhatTheRuleRefused() throws Exception {
        assertThat(matches("deny", "no-writes", REFUSED)).isTrue();
        assertThat(matches("allow", "no-writes", REFUSED)).isFalse();
    }

    @Test
    void namingAnObserveModeRuleFindsWhatItWouldHaveRefused() throws Exception {
        assertThat(matches("deny", "no-writes", OBSERVED)).isTrue();
        assertThat(matches(null, "no-writes", OBSERVED)).isTrue();
        // the verdict and the rule must be those of the same entry
        assertThat(matches("allow", "no-writes", OBSERVED)).isFalse();
    }

    @Test
    void aVerdictAloneIsTheStatementsOwn() throws Exception {
        assertThat(matches("deny", null, OBSERVED)).isFalse();
        assertThat(matches("allow", null, OBSERVED)).isTrue();
    }
}
