package dev.veil.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/** A password Veil logs in with, from the one source configured: password-file, password-env or password. */
public final class EndpointPassword {
    private EndpointPassword() {
    }

    /**
     * The password, or null when the endpoint has none: no source configured, or an empty one (a server with
     * trust authentication; {@link ConfigValidation} decides where that is allowed).
     *
     * @param prefix the endpoint's properties, e.g. {@code veil.upstreams.main}, for the messages
     * @throws ConfigurationProblem naming the property when its source cannot be read
     */
    public static String read(String prefix, PasswordSource endpoint) {
        Optional<String> file = endpoint.passwordFile();
        Optional<String> variable = endpoint.passwordEnv();
        String password;
        String property;
        if (file.isPresent()) {
            property = prefix + ".password-file";
            try {
                // A mounted secret usually ends with a newline that is not part of the password.
                password = Files.readString(Path.of(file.get()), StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new ConfigurationProblem(property + ": cannot read " + file.get() + ": "
                        + (e instanceof NoSuchFileException ? "no such file" : e.getMessage()), e);
            }
        } else if (variable.isPresent()) {
            property = prefix + ".password-env";
            password = System.getenv(variable.get());
            if (password == null) {
                throw new ConfigurationProblem(property + ": environment variable " + variable.get() + " is not set");
            }
        } else {
            return endpoint.password().filter(p -> !p.isEmpty()).orElse(null);
        }
        return password.isEmpty() ? null : password;
    }

    /** The property that leaves the endpoint without a password, and how, for messages. */
    static String absence(String prefix, PasswordSource endpoint) {
        if (endpoint.passwordFile().isPresent()) {
            return prefix + ".password-file: " + endpoint.passwordFile().get() + " is empty";
        }
        if (endpoint.passwordEnv().isPresent()) {
            return prefix + ".password-env: environment variable " + endpoint.passwordEnv().get() + " is empty";
        }
        return prefix + ".password: not set (nor password-env, password-file)";
    }
}
