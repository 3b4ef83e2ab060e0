package dev.veil.policy;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * The suite's Veil with a policy file (veil.policy.file), written into a directory of its own when the profile
 * boots. The test user ("tester") holds role tester, the auditor (configured role admin) role auditors (the one
 * allowed replication connections); the
 * service account of the suite holds none: an unknown identity.
 */
public class PolicyTestProfile implements QuarkusTestProfile {
    static final String POLICY = """
            environment: {name: dev, protection: low}
            roles:
              tester: {local-accounts: [tester]}
              auditors: {configured-roles: [admin]}
            replication: {roles: [auditors]}
            rules:
              - name: orders-never-deleted
                when: '"delete" in statement.actions && statement.relations.exists(r, r.relation == "orders")'
                outcome: deny
                reason: orders are never deleted; set their status to 'cancelled' instead
              - name: schema-changes-approved
                when: statement.kind == "DDL"
                outcome: require-approval
                reason: schema changes need a second person
                timeout: 1s
              - name: updates-watched
                when: '"update" in statement.actions'
                outcome: deny
                reason: updates will need a ticket
                mode: observe
            """;

    private static Path file;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("veil.policy.file", file().toString());
    }

    /** The one file of the test run (Quarkus may ask for the overrides more than once). */
    static synchronized Path file() {
        if (file == null) {
            try {
                file = Files.createTempDirectory("veil-policy").resolve("policy.yaml");
                Files.writeString(file, POLICY);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return file;
    }

    /** Replaces the policy file the way an editor saves it: a new file renamed over the old one. */
    static void replace(String content) throws IOException {
        Path next = Files.writeString(file().resolveSibling("policy.yaml.new"), content);
        Files.move(next, file(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
