package dev.veil.config;

import dev.veil.testing.TestConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** veil.masking.pseudonym-secret*: read from a file (without its trailing newline) or a variable, refused when short. */
class PseudonymSecretTest {
    private static final String SECRET = "a-secret-of-more-than-16-bytes";

    private static VeilConfig.MaskingSettings masking(Map<String, String> properties) {
        return TestConfig.veil(properties).masking();
    }

    @Test
    void noSecretConfiguredIsNone() {
        assertThat(PseudonymSecret.read(masking(Map.of()), Map.of())).isNull();
    }

    @Test
    void aMountedSecretIsReadWithoutItsTrailingNewline(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("pseudonym");
        Files.writeString(file, SECRET + "\n");
        byte[] read = PseudonymSecret.read(masking(Map.of("veil.masking.pseudonym-secret-file", file.toString())), Map.of());
        assertThat(new String(read, StandardCharsets.UTF_8)).isEqualTo(SECRET);
    }

    @Test
    void aSecretFromAnEnvironmentVariable() {
        byte[] read = PseudonymSecret.read(masking(Map.of("veil.masking.pseudonym-secret-env", "VEIL_TEST_PSEUDONYM")),
                Map.of("VEIL_TEST_PSEUDONYM", SECRET));
        assertThat(new String(read, StandardCharsets.UTF_8)).isEqualTo(SECRET);
    }

    @Test
    void aShortOrMissingSecretStopsTheStartNamingTheProperty() {
        List<String> shortOne = ConfigValidation.problems(TestConfig.veil(Map.of("veil.masking.pseudonym-secret", "short")),
                Map.of());
        assertThat(shortOne).singleElement().asString()
                .startsWith("veil.masking.pseudonym-secret: the pseudonym secret has 5 bytes; give at least 16");
        List<String> missing = ConfigValidation.problems(TestConfig.veil(Map.of("veil.masking.pseudonym-secret-file",
                "/nonexistent/veil-pseudonym")), Map.of());
        assertThat(missing).singleElement().asString()
                .startsWith("veil.masking.pseudonym-secret-file: cannot read /nonexistent/veil-pseudonym");
    }
}
