package dev.veil.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The command's own contract: exit codes and one-line messages, without any provider. */
class LoginCommandTest {
    @TempDir
    Path home;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        LoginCommand command = new LoginCommand(Clock.systemUTC());
        command.env = Map.of();
        command.home = home;
        CommandLine cli = new CommandLine(command);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void anUnreachableProviderIsOneLineAndExitCodeOne() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        assertThat(run("--issuer", "http://127.0.0.1:" + port + "/realms/veil")).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("veil login: cannot reach the identity provider at http://127.0.0.1:" + port
                + ": connection refused" + System.lineSeparator());
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void invalidOptionsExitWithTwoBeforeAnyoneIsAskedToSignIn() {
        int unreachable = 9; // discard port: nothing is contacted when the options are wrong
        String issuer = "http://127.0.0.1:" + unreachable;
        assertThat(run()).isEqualTo(2);
        assertThat(err.toString()).contains("no identity provider: pass --issuer or set VEIL_OIDC_ISSUER");
        assertThat(run("--issuer", issuer, "--format", "env", "--write")).isEqualTo(2);
        assertThat(err.toString()).contains("--write applies to --format pgpass, pg-service or mysql");
        assertThat(run("--issuer", issuer, "--format", "yaml")).isEqualTo(2);
        assertThat(err.toString()).contains("unknown --format yaml");
        assertThat(run("--issuer", issuer, "--flow", "carrier-pigeon")).isEqualTo(2);
        assertThat(err.toString()).contains("unknown --flow carrier-pigeon");
        assertThat(run("--issuer", issuer, "--sslmode", "maybe")).isEqualTo(1);
        assertThat(err.toString()).contains("veil login: unknown --sslmode maybe").doesNotContain("cannot reach");
    }

    @Test
    void anIssuerThatIsNotAUrlIsRefusedClearly() {
        assertThat(run("--issuer", "keycloak.example.com/realms/veil")).isEqualTo(1);
        assertThat(err.toString().strip()).isEqualTo("veil login: the issuer must be an http(s) URL, not keycloak.example.com/realms/veil");
    }
}
