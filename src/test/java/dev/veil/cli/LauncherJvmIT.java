package dev.veil.cli;

import dev.veil.audit.AuditChainFixture;
import dev.veil.demo.DemoPostgres;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code veil} command as a newcomer runs it: {@code bin/veil} from the checkout (also through a symbolic link),
 * and the copy {@code make install} puts under a prefix, each running the packaged jar. Tools run beside the demo
 * with no options: the audit files of the working directory, the catalog of the demo's PostgreSQL. Runs after
 * {@code mvn package} (failsafe, {@code mvn verify}).
 */
class LauncherJvmIT {
    private static final Path LAUNCHER = Path.of("bin", "veil").toAbsolutePath();

    @TempDir
    Path work;

    private record Run(int exit, String out, String err) {
    }

    @BeforeEach
    void packaged() {
        Assumptions.assumeTrue(System.getProperty("native.image.path") == null, "runs against the packaged jar");
        assertThat(Path.of(System.getProperty("veil.jar", "target/quarkus-app/quarkus-run.jar"))).as("the packaged Veil (mvn package)").exists();
    }

    /** Runs a command in {@code directory} with the environment of a fresh shell (no VEIL_ or QUARKUS_ settings). */
    private static Run run(Path directory, Map<String, String> env, String stdin, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(directory.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("VEIL_") || k.startsWith("QUARKUS_"));
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("VEIL_JAVA_OPTS", "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"));
        pb.environment().putAll(env);
        Process p = pb.start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> {
            try {
                return read(p.getErrorStream().readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = read(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s ends", String.join(" ", command)).isTrue();
        return new Run(p.exitValue(), out, err.get());
    }

    private static String read(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private Run veil(String... args) throws Exception {
        return veil(Map.of(), "", args);
    }

    private Run veil(Map<String, String> env, String stdin, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(LAUNCHER.toString()));
        command.addAll(List.of(args));
        return run(work, env, stdin, command.toArray(String[]::new));
    }

    @Test
    void theLauncherRunsTheBuiltJarAlsoThroughASymbolicLink() throws Exception {
        Path link = Files.createDirectories(work.resolve("somewhere/bin")).resolve("veil");
        Files.createSymbolicLink(link, LAUNCHER);
        Run r = run(work, Map.of(), "", link.toString(), "--version");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out().strip()).isEqualTo("Veil 0.1.0");
    }

    @Test
    void anUnknownCommandExitsTwoNamingTheCommands() throws Exception {
        Run r = veil("frobnicate");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("veil: unknown command 'frobnicate'; the commands are: serve, audit, analyze, catalog, login, policy");
        Run audit = veil("audit", "chekc");
        assertThat(audit.exit()).isEqualTo(2);
        assertThat(audit.err()).contains("veil audit: unknown command 'chekc'; the commands are: verify, search, report, streams");
    }

    @Test
    void withoutAJarTheLauncherSaysHowToGetOne() throws Exception {
        Run r = veil(Map.of("VEIL_JAR", work.resolve("missing.jar").toString()), "", "--version");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).startsWith("veil: no Veil jar found").contains("make package");
    }

    @Test
    void makeInstallPutsAWorkingVeilUnderThePrefix() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/make")) || Files.isExecutable(Path.of("/bin/make")),
                "make is not installed here");
        Path prefix = work.resolve("prefix");
        // -o: the jar is what `mvn package` just built; make must not try to rebuild it from inside the build.
        Run install = run(Path.of("").toAbsolutePath(), Map.of(), "", "make", "-s", "-o", "target/quarkus-app/quarkus-run.jar",
                "install", "PREFIX=" + prefix);
        assertThat(install.exit()).as(install.err()).isZero();
        assertThat(prefix.resolve("lib/veil/quarkus-run.jar")).exists();
        Run r = run(work, Map.of(), "", prefix.resolve("bin/veil").toString(), "--version");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out().strip()).isEqualTo("Veil 0.1.0");
        Run uninstall = run(Path.of("").toAbsolutePath(), Map.of(), "", "make", "-s", "uninstall", "PREFIX=" + prefix);
        assertThat(uninstall.exit()).as(uninstall.err()).isZero();
        assertThat(prefix.resolve("bin/veil")).doesNotExist();
        assertThat(prefix.resolve("lib/veil")).doesNotExist();
    }

    @Test
    void auditToolsReadTheAuditFilesOfTheWorkingDirectoryWithoutOptions() throws Exception {
        AuditChainFixture.write(work.resolve("veil-audit"), 5, 1 << 20); // where make run writes them: ./veil-audit
        Run verify = veil("audit", "verify");
        assertThat(verify.exit()).as(verify.err()).isZero();
        assertThat(verify.out()).contains(work.resolve("veil-audit") + ": ").contains(": OK");
        Run streams = veil("audit", "streams");
        assertThat(streams.exit()).as(streams.err()).isZero();
        assertThat(streams.out()).startsWith("audit files in " + work.resolve("veil-audit") + ": 1 stream(s)");
    }

    @Test
    void analyzeReadsTheCatalogOfTheRunningDemoWithoutOptions() throws Exception {
        try (DemoPostgres demo = DemoPostgres.start(0)) {
            Map<String, String> env = new HashMap<>(Map.of("VEIL_DEMO_POSTGRES_PORT", String.valueOf(demo.port())));
            Run r = veil(env, "SELECT email FROM customer_contacts WHERE id = 1;\n", "analyze");
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out()).contains("\"analysed\":true").contains("public.customers.email");
            assertThat(r.err()).doesNotContain("does not answer");
        }
    }

    @Test
    void analyzeWithoutARunningDemoSaysSoAndFailsClosed() throws Exception {
        int nobody;
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            nobody = s.getLocalPort();
        }
        Run r = veil(Map.of("VEIL_DEMO_POSTGRES_PORT", String.valueOf(nobody)), "SELECT email FROM customers;\n", "analyze");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).contains("the demo's postgresql upstream demo (127.0.0.1:" + nobody + ") does not answer: "
                + "start the demo with `make run`");
        assertThat(r.out()).contains("\"analysed\":false").contains("\"lineage\":\"unknown\"");
    }
}
