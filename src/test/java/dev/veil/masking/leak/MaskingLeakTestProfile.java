package dev.veil.masking.leak;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The suite's Veil under the demo's own policy, as shipped: its accounts reader (role analyst) and writer (role
 * engineer) get personal data masked, auditor (role admin) sees it clear.
 */
public class MaskingLeakTestProfile implements QuarkusTestProfile {
    private static Path file;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("veil.policy.file", file().toString());
    }

    private static synchronized Path file() {
        if (file == null) {
            try (InputStream shipped = MaskingLeakTestProfile.class.getResourceAsStream("/dev/veil/demo/demo-policy.yaml")) {
                file = Files.createTempDirectory("veil-leaks").resolve("policy.yaml");
                Files.write(file, shipped.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return file;
    }
}
