package dev.veil.demo;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sweep for abandoned server directories runs whenever an embedded server starts. In a JVM that already runs
 * one, it must leave that server's lock in place: another JVM (a second test run, another checkout's tests on
 * the same machine) would otherwise take the running server for abandoned and stop it.
 */
@Tag("servers")
class AbandonedInstanceSweepTest {

    @Test
    void startingASecondPostgresLeavesTheFirstOneLockedAgainstOtherProcesses() throws Exception {
        try (DemoPostgres first = DemoPostgres.start(0)) {
            Path lock = first.dataDirectory().resolve("epg-lock");
            // Old enough for the sweep to probe it (a lock file younger than 5 s is left alone). Set by another
            // process: Java sets file times through a descriptor of its own, and closing it would drop the lock.
            assertThat(new ProcessBuilder("touch", "-d", "@" + Instant.now().minusSeconds(60).getEpochSecond(),
                    lock.toString()).inheritIO().start().waitFor()).isZero();
            assertThat(probe(lock)).as("before the sweep").isEqualTo("held");
            try (DemoPostgres second = DemoPostgres.start(0)) {
                assertThat(second.port()).isNotEqualTo(first.port());
            }
            assertThat(probe(lock)).as("after a sweep in the JVM that runs it").isEqualTo("held");
            assertThat(Files.isDirectory(first.dataDirectory())).isTrue();
        }
    }

    /** Asks a JVM of its own whether some process holds a lock on the file. */
    private static String probe(Path file) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), LockProbe.class.getName(), file.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }
}
