package dev.veil.cli;

import dev.veil.cli.login.ConnectionEntries;
import dev.veil.cli.login.ConnectionFiles;
import dev.veil.cli.login.ConnectionTarget;
import dev.veil.cli.login.MysqlClient;
import dev.veil.cli.login.UserFiles;
import dev.veil.identity.LocalAccounts;
import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@code veil login} writes, read by the real clients (where installed) connecting through Veil: psql
 * with the environment lines, the ~/.pgpass entry and the pg_service section, the mysql (or mariadb) client with
 * the option file written for its family. The password has the characters pgpass must escape and a token's length, so a wrong escape or
 * a client's line limit shows as a failed sign-in.
 */
@Tag("servers")
@QuarkusTest
@QuarkusTestResource(VeilTestResource.class)
class ConnectionFilesClientsTest {
    private static final String USER = "files.user@example.com";
    private static final String PASSWORD = "eyJ:a\\b:" + "x".repeat(1400) + "\\";

    @Inject
    LocalAccounts accounts;

    @TempDir
    Path home;

    @BeforeEach
    void account() {
        accounts.add(USER, PASSWORD, List.of());
    }

    private static ConnectionTarget target() {
        return new ConnectionTarget("127.0.0.1", VeilTestResource.veilPort(), VeilTestResource.veilMySqlPort(), "shop", USER, "require");
    }

    private static Path binary(String... names) {
        for (String name : names) {
            for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        return null;
    }

    /** Runs a client with only this test's home and the given environment: nothing from the machine's own files. */
    private String run(Map<String, String> env, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().keySet().removeIf(k -> k.startsWith("PG") || k.startsWith("MYSQL"));
        pb.environment().put("HOME", home.toString());
        pb.environment().putAll(env);
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out.strip();
    }

    private Path psql() {
        Path psql = binary("psql");
        Assumptions.assumeTrue(psql != null, "psql is not installed here (.ci/run installs postgresql-client)");
        return psql;
    }

    @Test
    void psqlConnectsWithTheEnvironmentLinesEvaluatedByTheShell() throws Exception {
        Path psql = psql();
        Path script = home.resolve("login.sh");
        Files.writeString(script, ConnectionEntries.env(target(), PASSWORD) + "exec " + psql + " -X -A -t -c 'SELECT 40 + 2'\n");
        assertThat(run(Map.of(), "/bin/sh", script.toString())).isEqualTo("42");
    }

    @Test
    void psqlFindsThePasswordInTheWrittenPgpass() throws Exception {
        Path psql = psql();
        UserFiles files = UserFiles.from(Map.of(), home);
        Files.writeString(files.pgpass(), "127.0.0.1:" + VeilTestResource.veilPort() + ":shop:" + USER + ":stale-token\n");
        ConnectionFiles.writePgpass(files.pgpass(), target(), PASSWORD);
        assertThat(run(Map.of(), psql.toString(), "-X", "-A", "-t", "-w",
                "host=127.0.0.1 port=" + VeilTestResource.veilPort() + " user=" + USER + " dbname=shop sslmode=require",
                "-c", "SELECT 'pgpass'")).isEqualTo("pgpass");
    }

    @Test
    void psqlConnectsWithTheWrittenServiceSectionAndPgpass() throws Exception {
        Path psql = psql();
        Path services = home.resolve("services.conf");
        Files.writeString(services, "[other]\nhost=elsewhere\n");
        ConnectionFiles.writeService(services, "veil", target());
        ConnectionFiles.writePgpass(UserFiles.from(Map.of(), home).pgpass(), target(), PASSWORD);
        assertThat(run(Map.of("PGSERVICEFILE", services.toString()), psql.toString(), "-X", "-A", "-t", "-w", "service=veil",
                "-c", "SELECT current_setting('ssl') IS NOT NULL")).isEqualTo("t");
    }

    @Test
    void theMysqlClientConnectsWithTheOptionFileOverTlsWithoutWarnings() throws Exception {
        Path client = binary("mariadb", "mysql");
        Assumptions.assumeTrue(client != null, "the mariadb client is not installed here (.ci/run installs mariadb-client)");
        MysqlClient family = MysqlClient.detect(System.getenv());
        Path file = ConnectionFiles.writeMysqlOptions(UserFiles.from(Map.of(), home).mysqlOptions(), target(), PASSWORD, family);
        List<String> cmd = new ArrayList<>(List.of(client.toString(), "--defaults-extra-file=" + file, "-N", "-B", "-e",
                "SELECT DATABASE()"));
        assertThat(run(Map.of(), cmd.toArray(String[]::new))).isEqualTo("shop");
        // inside TLS: the client's own status line says which cipher carried the session
        String status = run(Map.of(), client.toString(), "--defaults-extra-file=" + file, "-e", "status");
        assertThat(status).containsPattern("SSL:\\s+Cipher in use is");
    }
}
