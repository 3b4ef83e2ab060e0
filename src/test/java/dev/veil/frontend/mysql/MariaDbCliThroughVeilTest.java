package dev.veil.frontend.mysql;

import dev.veil.testing.MariaDbServer;
import dev.veil.testing.VeilTestResource;
import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.testing.AuditTrail;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The mariadb command-line client, where installed, prints exactly the same through Veil as connected directly. */
@Tag("servers")
@QuarkusTest
@QuarkusTestResource(VeilTestResource.class)
class MariaDbCliThroughVeilTest {

    private static Path client() {
        for (String name : List.of("mariadb", "mysql")) {
            for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        return null;
    }

    @Test
    void scriptOutputIsIdenticalThroughVeilAndDirect() throws Exception {
        Path client = client();
        Assumptions.assumeTrue(client != null, "the mariadb client is not installed here (.ci/run installs mariadb-client)");
        Path script = Path.of("src/test/resources/mysql/compare.sql").toAbsolutePath();
        MariaDbServer server = VeilTestResource.mariadb();
        String direct = run(client, script, server.port(), server.nativeUser().user(), server.nativeUser().password());
        String viaVeil = run(client, script, VeilTestResource.veilMySqlPort(), VeilTestResource.USER, VeilTestResource.PASSWORD);
        assertThat(viaVeil).isEqualTo(direct);
        assertThat(viaVeil).contains("hello", "Division by 0", "doesn't exist", "after an error", "second, with comma",
                "Duplicate entry", "kept", "information_schema", "done");
    }

    @Test
    void refusalsOfTheBuiltInRulesReachTheCliAndTheAuditTrailWithTheirRule() throws Exception {
        Path client = client();
        Assumptions.assumeTrue(client != null, "the mariadb client is not installed here (.ci/run installs mariadb-client)");
        String mark = "cli-" + UUID.randomUUID();
        Path script = Files.createTempFile("veil-refusals", ".sql");
        try {
            Files.writeString(script, "LOAD DATA LOCAL INFILE '/etc/hostname' INTO TABLE customers /* " + mark + " */;\n"
                    + "KILL 5 + 1 /* " + mark + " */;\n"
                    + "SELECT 'still usable' AS after_refusals;\n");
            String out = run(client, script, VeilTestResource.veilMySqlPort(), VeilTestResource.USER,
                    VeilTestResource.PASSWORD, "--local-infile=1", "--comments");
            assertThat(out).contains("LOAD DATA LOCAL INFILE is refused by Veil", "rule builtin.mysql-local-infile",
                    "rule builtin.mysql-kill", "still usable");
        } finally {
            Files.deleteIfExists(script);
        }
        AuditTrail trail = AuditTrail.ofTestVeil();
        List<JsonNode> denied = trail.await(j -> AuditTrail.type("statement.decided").test(j)
                && j.path("statement").asText().contains(mark), 2);
        assertThat(denied).allSatisfy(j -> assertThat(j.path("decision").path("verdict").asText()).isEqualTo("deny"));
        assertThat(denied).extracting(j -> j.path("decision").path("rule").asText())
                .containsExactlyInAnyOrder("builtin.mysql-local-infile", "builtin.mysql-kill");
    }

    private static String run(Path client, Path script, int port, String user, String password, String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of(client.toString(), "--no-defaults", "-h", "127.0.0.1", "-P",
                String.valueOf(port), "-u", user, "--table", "--force", "--show-warnings", "--skip-ssl"));
        command.addAll(List.of(options));
        command.add("shop");
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("MYSQL_PWD", password);
        pb.environment().put("TZ", "UTC");
        pb.redirectInput(script.toFile());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new String(out, StandardCharsets.UTF_8);
    }
}
