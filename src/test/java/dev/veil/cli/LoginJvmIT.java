package dev.veil.cli;

import dev.veil.testing.JwtParts;
import dev.veil.testing.KeycloakServer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code veil login} as the packaged executable runs it (Quarkus command mode, tool settings: no HTTP port,
 * logs on standard error): standard output holds nothing but the export lines, so {@code eval} is safe.
 * Runs after {@code mvn package} (failsafe, {@code mvn verify}).
 */
class LoginJvmIT {
    @TempDir
    Path home;

    private Process start(String... args) throws Exception {
        Assumptions.assumeTrue(System.getProperty("native.image.path") == null, "runs against the packaged jar");
        Path jar = Path.of(System.getProperty("veil.jar", "target/quarkus-app/quarkus-run.jar"));
        assertThat(jar).as("the packaged Veil (mvn package)").exists();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"), "-jar", jar.toString(), "login"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(home.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("VEIL_") || k.startsWith("PG") || k.equals("XDG_CONFIG_HOME"));
        pb.environment().put("HOME", home.toString());
        return pb.start();
    }

    @Test
    void evalReadyOutputAfterADeviceSignIn() throws Exception {
        KeycloakServer keycloak = KeycloakServer.shared();
        Process p = start("--issuer", keycloak.issuer(), "--host", "veil.example.com", "--pg-port", "6432");
        CompletableFuture<String> stdout = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        LinkedBlockingQueue<String> errLines = new LinkedBlockingQueue<>();
        StringBuffer err = new StringBuffer();
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    err.append(line).append('\n');
                    errLines.add(line);
                }
            } catch (Exception ignored) {
                // process ended
            }
        });
        pump.start();
        String complete = null;
        while (complete == null) {
            String line = errLines.poll(120, TimeUnit.SECONDS);
            assertThat(line).as("the device prompt; standard error so far:%n%s", err).isNotNull();
            if (line.strip().startsWith("or open ")) {
                complete = line.strip().substring("or open ".length());
            }
        }
        keycloak.approveDeviceCode(complete, "alice", "alice-password");
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        pump.join(10_000);
        assertThat(p.exitValue()).as(err.toString()).isZero();

        String out = stdout.get(10, TimeUnit.SECONDS);
        assertThat(out.lines().toList()).hasSize(5).allSatisfy(l -> assertThat(l).matches("export PG[A-Z]+='[^']*'"));
        assertThat(out).contains("export PGHOST='veil.example.com'\n", "export PGPORT='6432'\n", "export PGUSER='alice@example.com'\n",
                "export PGSSLMODE='require'\n");
        String token = out.lines().filter(l -> l.startsWith("export PGPASSWORD=")).findFirst().orElseThrow()
                .replaceAll("^export PGPASSWORD='|'$", "");
        assertThat(JwtParts.claims(token).path("email").asText()).isEqualTo("alice@example.com");
    }

    @Test
    void anUnreachableProviderIsOneLineOnStandardErrorAndExitCodeOne() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Process p = start("--issuer", "http://127.0.0.1:" + closed + "/realms/veil");
        CompletableFuture<String> stdout = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        String err = read(p.getErrorStream());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(1);
        assertThat(stdout.get(10, TimeUnit.SECONDS)).isEmpty();
        assertThat(err.strip()).isEqualTo("veil login: cannot reach the identity provider at http://127.0.0.1:" + closed + ": connection refused");
    }

    private static String read(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
