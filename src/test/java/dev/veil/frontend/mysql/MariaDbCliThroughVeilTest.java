package dev.veil.frontend.mysql;

import dev.veil.testing.MariaDbServer;
import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The mariadb command-line client, where installed, prints exactly the same through Veil as connected directly. */
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

    private static String run(Path client, Path script, int port, String user, String password) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(List.of(client.toString(), "--no-defaults", "-h", "127.0.0.1", "-P", String.valueOf(port),
                "-u", user, "--table", "--force", "--show-warnings", "--skip-ssl", "shop"));
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
