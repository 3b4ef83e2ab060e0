package dev.veil.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The key of the pseudonym and hash maskers, read from veil.masking.pseudonym-secret, -secret-file (a mounted
 * secret; its trailing newline is not part of it) or -secret-env, in that order of preference: file, variable,
 * inline. At least {@link #MIN_BYTES} bytes, so that pseudonyms cannot be reversed by trying keys.
 */
public final class PseudonymSecret {
    public static final int MIN_BYTES = 16;
    static final String PREFIX = "veil.masking.";

    private PseudonymSecret() {
    }

    /**
     * The configured secret's bytes (UTF-8), or null when none is configured.
     *
     * @throws ConfigurationProblem naming the property when its source cannot be read or is too short
     */
    public static byte[] read(VeilConfig.MaskingSettings m, Map<String, String> environment) {
        String property;
        String secret;
        if (m.pseudonymSecretFile().isPresent()) {
            property = PREFIX + "pseudonym-secret-file";
            String file = m.pseudonymSecretFile().get();
            try {
                secret = Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new ConfigurationProblem(property + ": cannot read " + file + ": "
                        + (e instanceof NoSuchFileException ? "no such file" : e.getMessage()), e);
            }
        } else if (m.pseudonymSecretEnv().isPresent()) {
            property = PREFIX + "pseudonym-secret-env";
            secret = environment.get(m.pseudonymSecretEnv().get());
            if (secret == null) {
                throw new ConfigurationProblem(property + ": environment variable " + m.pseudonymSecretEnv().get()
                        + " is not set");
            }
        } else if (m.pseudonymSecret().isPresent()) {
            property = PREFIX + "pseudonym-secret";
            secret = m.pseudonymSecret().get();
        } else {
            return null;
        }
        byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
        if (bytes.length < MIN_BYTES) {
            throw new ConfigurationProblem(property + ": the pseudonym secret has " + bytes.length + " bytes; give at least "
                    + MIN_BYTES + " (e.g. the output of `openssl rand -base64 32`)");
        }
        return bytes;
    }
}
