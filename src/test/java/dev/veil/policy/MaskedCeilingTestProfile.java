package dev.veil.policy;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The demo policy (engineer's results masked) with an enforced affected-rows ceiling of 3 rows for engineer (the
 * suite's writer account): a statement that is both counted and masked.
 */
public class MaskedCeilingTestProfile implements QuarkusTestProfile {
    private static Path file;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("veil.policy.file", file().toString());
    }

    private static synchronized Path file() {
        if (file == null) {
            try (InputStream shipped = MaskedCeilingTestProfile.class.getResourceAsStream("/dev/veil/demo/demo-policy.yaml")) {
                String policy = new String(shipped.readAllBytes(), StandardCharsets.UTF_8).replace("guardrails:\n",
                        "guardrails:\n  affected-rows-ceiling: {roles: [engineer], max-rows: 3}\n");
                file = Files.createTempDirectory("veil-masked-ceiling").resolve("policy.yaml");
                Files.writeString(file, policy);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return file;
    }
}
