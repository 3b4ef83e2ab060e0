package dev.veil.policy;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The suite's Veil with every guardrail on for role engineer, which the test user ("tester") holds; the
 * transaction-mode guardrail in observe mode (an engineer may write: it only records).
 */
public class GuardrailTestProfile implements QuarkusTestProfile {
    static final String POLICY = """
            environment: {name: dev, protection: high}
            roles:
              engineer: {local-accounts: [tester]}
              auditors: {configured-roles: [admin]}
            guardrails:
              delete-without-where: {roles: [engineer]}
              update-without-where: {roles: [engineer]}
              destructive-ddl: {roles: [engineer]}
              dynamic-sql: {roles: [engineer]}
              server-files: {roles: [engineer]}
              privilege-changes: {roles: [engineer]}
              transaction-mode: {roles: [engineer], mode: observe}
            """;

    private static Path file;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("veil.policy.file", file().toString());
    }

    private static synchronized Path file() {
        if (file == null) {
            try {
                file = Files.createTempDirectory("veil-guardrails").resolve("policy.yaml");
                Files.writeString(file, POLICY);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return file;
    }
}
