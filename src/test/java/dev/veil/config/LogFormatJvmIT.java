package dev.veil.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Veil's own log as the packaged executable writes it to standard output: text by default, one JSON object
 * per line with VEIL_LOG_JSON=true. Runs after {@code mvn package} (failsafe, {@code mvn verify}).
 */
class LogFormatJvmIT {
    private static final String END = "\u0000end";

    @TempDir
    Path work;

    @Test
    void veilLogsOneJsonObjectPerLineWhenAsked() throws Exception {
        List<String> lines = startupLines(true);
        ObjectMapper json = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        List<JsonNode> records = new ArrayList<>();
        for (String line : lines) {
            records.add(json.readTree(line)); // throws on any line that is not one JSON object
        }
        assertThat(records).allSatisfy(r -> {
            assertThat(r.isObject()).isTrue();
            assertThat(r.path("level").asText()).isNotEmpty();
            assertThat(r.path("loggerName").asText()).isNotEmpty();
            assertThat(r.has("message")).isTrue();
            assertThat(r.path("timestamp").asText()).isNotEmpty();
        });
        JsonNode auditLog = records.stream().filter(r -> r.path("loggerName").asText().equals("dev.veil.audit.AuditLog"))
                .findFirst().orElseThrow();
        assertThat(auditLog.path("level").asText()).isEqualTo("INFO");
        assertThat(auditLog.path("message").asText()).startsWith("audit log: [file ");
    }

    @Test
    void veilLogsTextByDefault() throws Exception {
        List<String> lines = startupLines(false);
        assertThat(lines).noneMatch(l -> l.startsWith("{"));
        assertThat(lines).anyMatch(l -> l.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  \\[de\\.ve\\.au\\.AuditLog] audit log: \\[file .*"));
    }

    /**
     * Standard output of a Veil started against an upstream nobody listens on (its log does not need one), up
     * to and including the audit log's start-up line; then Veil is stopped.
     */
    private List<String> startupLines(boolean json) throws Exception {
        Assumptions.assumeTrue(System.getProperty("native.image.path") == null, "runs against the packaged jar");
        Path jar = Path.of(System.getProperty("veil.jar", "target/quarkus-app/quarkus-run.jar"));
        assertThat(jar).as("the packaged Veil (mvn package)").exists();
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"), "-Dveil.demo.mode=off", "-Dveil.pg.port=" + freePort(), "-Dveil.mysql.port=" + freePort(),
                "-Dquarkus.http.port=" + freePort(), "-Dveil.pg.default-upstream=u", "-Dveil.upstreams.u.host=127.0.0.1",
                "-Dveil.upstreams.u.port=" + freePort(), "-Dveil.upstreams.u.database=shop", "-Dveil.upstreams.u.user=nobody",
                "-Dveil.upstreams.u.tls.mode=disable", "-Dveil.audit.file.directory=" + work.resolve("audit"),
                "-jar", jar.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("VEIL_") || k.startsWith("QUARKUS_"));
        if (json) {
            pb.environment().put("VEIL_LOG_JSON", "true");
        }
        Process p = pb.start();
        StringBuffer err = new StringBuffer();
        Thread errPump = pump(p.getErrorStream(), s -> err.append(s).append('\n'));
        LinkedBlockingQueue<String> out = new LinkedBlockingQueue<>();
        Thread outPump = pump(p.getInputStream(), out::add);
        List<String> lines = new ArrayList<>();
        try {
            while (true) {
                String line = out.poll(120, TimeUnit.SECONDS);
                assertThat(line).as("the audit log's start-up line; output so far:%n%s%nstandard error:%n%s",
                        String.join("\n", lines), err).isNotNull().isNotEqualTo(END);
                lines.add(line);
                if (line.contains("audit log: [file ")) {
                    return lines;
                }
            }
        } finally {
            p.destroy();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            outPump.join(10_000);
            errPump.join(10_000);
        }
    }

    private static Thread pump(InputStream in, Consumer<String> sink) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    sink.accept(line);
                }
            } catch (Exception ignored) {
                // the process ended
            }
            sink.accept(END);
        });
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
