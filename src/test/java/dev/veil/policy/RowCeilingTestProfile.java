package dev.veil.policy;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * The suite's Veil with an affected-rows ceiling of 3 rows for the test user (role tester); the auditor (role
 * auditors) is under none. {@link #replace} swaps the file the way an editor saves it (observe mode).
 */
public class RowCeilingTestProfile implements QuarkusTestProfile {
    static final String POLICY = """
            environment: {name: dev, protection: low}
            roles:
              tester: {local-accounts: [tester]}
              auditors: {configured-roles: [admin]}
            guardrails:
              affected-rows-ceiling: {roles: [tester], max-rows: 3}
            """;

    static final String OBSERVED = POLICY.replace("max-rows: 3}", "max-rows: 3, mode: observe}");

    private static Path file;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("veil.policy.file", file().toString());
    }

    static synchronized Path file() {
        if (file == null) {
            try {
                file = Files.createTempDirectory("veil-ceiling").resolve("policy.yaml");
                Files.writeString(file, POLICY);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return file;
    }

    static void replace(String content) throws IOException {
        Path next = Files.writeString(file().resolveSibling("policy.yaml.new"), content);
        Files.move(next, file(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
