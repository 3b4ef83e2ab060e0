package dev.veil.frontend.pg;

import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The psql binary, where installed, prints exactly the same through Veil as connected directly. */
@Tag("servers")
@QuarkusTest
@QuarkusTestResource(VeilTestResource.class)
class PsqlThroughVeilTest {

    private static Path psql() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            Path p = Path.of(dir, "psql");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    @Test
    void scriptOutputIsIdenticalThroughVeilAndDirect() throws Exception {
        Path psql = psql();
        Assumptions.assumeTrue(psql != null, "psql is not installed here (.ci/run installs postgresql-client)");
        Path script = Path.of("src/test/resources/psql/compare.sql").toAbsolutePath();
        var server = VeilTestResource.server();
        String direct = run(psql, script, server.port(), server.superuser(), server.superuserPassword());
        String viaVeil = run(psql, script, VeilTestResource.veilPort(), VeilTestResource.USER, VeilTestResource.PASSWORD);
        assertThat(viaVeil).isEqualTo(direct);
        assertThat(viaVeil).contains("division by zero", "current transaction is aborted", "a notice for psql",
                "second, with comma", "Table \"public.customers\"", "done");
    }

    private static String run(Path psql, Path script, int port, String user, String password) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(List.of(psql.toString(), "-X", "-h", "127.0.0.1", "-p", String.valueOf(port),
                "-U", user, "-d", "shop", "-f", script.toString()));
        pb.environment().put("PGPASSWORD", password);
        pb.environment().put("PGSSLMODE", "disable");
        pb.environment().put("PGAPPNAME", "psql-compare");
        pb.environment().put("PGTZ", "UTC");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new String(out, StandardCharsets.UTF_8).replace("psql:" + script + ":", "psql:<script>:");
    }
}
