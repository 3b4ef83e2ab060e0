package dev.veil;

import dev.veil.testing.VeilTestResource;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The JVM suite's upstreams and accounts (VeilTestResource) with the demo policy in force, so that the native
 * executable also reads a policy file (YAML, CEL conditions), applies a guardrail and masks. The demo policy
 * refuses an account without a role, so the suite's plain account reads as an engineer.
 */
public class NativeTestResource extends VeilTestResource {
    @Override
    public Map<String, String> start() {
        Map<String, String> cfg = super.start();
        cfg.put("veil.local-accounts." + USER + ".roles", "engineer");
        try (InputStream policy = NativeTestResource.class.getResourceAsStream("/dev/veil/demo/demo-policy.yaml")) {
            Path file = Files.createTempDirectory("veil-native-policy").resolve("policy.yaml");
            Files.write(file, policy.readAllBytes());
            cfg.put("veil.policy.file", file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return cfg;
    }
}
