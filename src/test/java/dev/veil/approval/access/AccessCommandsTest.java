package dev.veil.approval.access;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.cli.AccessCommand;
import dev.veil.cli.ApprovalsCommand;
import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code veil access} and {@code veil approvals} against a running Veil's API, as a user types them: an engineer asks
 * for admin, an admin lists, approves and shows the request; wrong credentials and an address nobody answers end
 * with exit code 1 and a message saying so.
 */
@Tag("servers")
@QuarkusTest
@TestProfile(AccessTestProfile.class)
@QuarkusTestResource(VeilTestResource.class)
class AccessCommandsTest {
    private static final String ENGINEER = "ebba";

    @TestHTTPResource("/")
    URI base;

    /** A command's exit code, what it printed and what it printed on stderr. */
    private record Run(int exit, String out, String err) {
    }

    private Run veil(Object command, String password, String... args) {
        if (command instanceof AccessCommand a) {
            a.api().environment(name -> name.equals("VEIL_PASSWORD") ? password : null);
        } else if (command instanceof ApprovalsCommand a) {
            a.api().environment(name -> name.equals("VEIL_PASSWORD") ? password : null);
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine line = new CommandLine(command).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
        int exit = line.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private String url() {
        return base.toString();
    }

    @Test
    void anEngineerAsksAndAnAdminApprovesFromTheCommandLine() throws Exception {
        Run asked = veil(new AccessCommand(), AccessTestProfile.password(ENGINEER), "request", "--url", url(),
                "--user", ENGINEER, "--role", "admin", "--for", "30m", "--reason", "INC-7 from the command line");
        assertThat(asked.exit()).as(asked.err()).isZero();
        assertThat(asked.out()).contains("pending", ENGINEER, "admin", "INC-7 from the command line");
        String id = asked.out().strip().split("\\s+")[0];

        Run listed = veil(new AccessCommand(), AccessTestProfile.password(AccessTestProfile.LEAD), "list", "--url", url(),
                "--user", AccessTestProfile.LEAD, "--status", "pending");
        assertThat(listed.exit()).as(listed.err()).isZero();
        assertThat(listed.out()).contains(id);

        Run approved = veil(new AccessCommand(), AccessTestProfile.password(AccessTestProfile.LEAD), "approve", id,
                "--url", url(), "--user", AccessTestProfile.LEAD, "--reason", "on call");
        assertThat(approved.exit()).as(approved.err()).isZero();
        assertThat(approved.out()).contains(id, "granted", "approve by " + AccessTestProfile.LEAD);

        Run shown = veil(new AccessCommand(), AccessTestProfile.password(ENGINEER), "show", id, "--json", "--url", url(),
                "--user", ENGINEER);
        assertThat(shown.exit()).as(shown.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(shown.out());
        assertThat(json.path("status").asText()).isEqualTo("granted");
        assertThat(json.path("identity").asText()).isEqualTo(ENGINEER);
    }

    @Test
    void theApprovalsCommandListsThroughTheSameClient() {
        Run listed = veil(new ApprovalsCommand(), AccessTestProfile.password(AccessTestProfile.LEAD), "list", "--url", url(),
                "--user", AccessTestProfile.LEAD, "--status", "all");
        assertThat(listed.exit()).as(listed.err()).isZero();
        assertThat(listed.err()).isEmpty();

        Run unknown = veil(new ApprovalsCommand(), AccessTestProfile.password(AccessTestProfile.LEAD), "show", "no-such-id",
                "--url", url(), "--user", AccessTestProfile.LEAD);
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err()).contains("refused (404)");
    }

    @Test
    void wrongCredentialsAndAnAddressNobodyAnswersEndWithExitCodeOne() throws Exception {
        Run refused = veil(new AccessCommand(), "not-the-password", "list", "--url", url(), "--user", ENGINEER);
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains("refused (401)");

        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Run unreachable = veil(new AccessCommand(), "x", "list", "--url", "http://127.0.0.1:" + closed, "--user", ENGINEER);
        assertThat(unreachable.exit()).isEqualTo(1);
        assertThat(unreachable.err()).contains("cannot be reached", "VEIL_URL");

        Run missing = veil(new AccessCommand(), "x", "request", "--url", url(), "--user", ENGINEER, "--role", "admin");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("needs --role, --for and --reason");
    }
}
