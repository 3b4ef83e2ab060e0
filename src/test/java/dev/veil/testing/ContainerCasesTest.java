package dev.veil.testing;

import dev.veil.testing.MariaDbServer.Flavour;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.InvocationInterceptor.Invocation;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Without a Docker engine the container cases are reported as skipped, with the reason, and Testcontainers is not
 * even asked (it would log its failed discovery at ERROR).
 */
class ContainerCasesTest {
    @TempDir
    Path home;

    @Test
    void noSocketNoDockerHostAndNoTestcontainersFileMeansNoEngineToAsk() {
        assertThat(DockerEngine.hasSignOfAnEngine(Map.of("XDG_RUNTIME_DIR", home.resolve("run").toString()), home))
                .isEqualTo(Files.exists(Path.of("/var/run/docker.sock")));
    }

    @Test
    void dockerHostOrATestcontainersFileOrAUserSocketIsASignOfAnEngine() throws Exception {
        assertThat(DockerEngine.hasSignOfAnEngine(Map.of("DOCKER_HOST", "tcp://127.0.0.1:2375"), home)).isTrue();
        Files.createDirectories(home.resolve(".docker/run"));
        Files.createFile(home.resolve(".docker/run/docker.sock"));
        assertThat(DockerEngine.hasSignOfAnEngine(Map.of(), home)).isTrue();
    }

    @Test
    void aRunWithAnUnavailableServerIsAbortedBeforeItsBodyRuns() throws Throwable {
        MariaDbServers.Unavailable mysql = new MariaDbServers.Unavailable(Flavour.MYSQL, "mysql:8.0 runs in a container: no Docker engine");
        RecordingInvocation invocation = new RecordingInvocation();
        assertThatThrownBy(() -> new SkipsUnavailableServers().interceptTestTemplateMethod(invocation, context(mysql), null))
                .isInstanceOf(TestAbortedException.class).hasMessageContaining("MYSQL (skipped: mysql:8.0 runs in a container: no Docker engine)");
        assertThat(invocation.proceeded).isFalse();
        assertThat(invocation.skipped).isTrue();
    }

    @Test
    void aRunWithARealServerProceeds() throws Throwable {
        RecordingInvocation invocation = new RecordingInvocation();
        new SkipsUnavailableServers().interceptTestTemplateMethod(invocation, context("not a server"), null);
        assertThat(invocation.proceeded).isTrue();
    }

    @Test
    void everyUseOfAnUnavailableServerAbortsTheTest() {
        MariaDbServer mysql = new MariaDbServers.Unavailable(Flavour.MYSQL, "no Docker engine");
        assertThatThrownBy(mysql::nativeUser).isInstanceOf(TestAbortedException.class);
        assertThatThrownBy(() -> mysql.mariadbUrl("shop", "")).isInstanceOf(TestAbortedException.class);
        assertThat(mysql.flavour()).isEqualTo(Flavour.MYSQL);
    }

    private static final class RecordingInvocation implements Invocation<Void> {
        boolean proceeded;
        boolean skipped;

        @Override
        public Void proceed() {
            proceeded = true;
            return null;
        }

        @Override
        public void skip() {
            skipped = true;
        }
    }

    private static ReflectiveInvocationContext<Method> context(Object argument) {
        return new ReflectiveInvocationContext<>() {
            @Override
            public Class<?> getTargetClass() {
                return ContainerCasesTest.class;
            }

            @Override
            public Method getExecutable() {
                return null;
            }

            @Override
            public List<Object> getArguments() {
                return List.of(argument);
            }

            @Override
            public Optional<Object> getTarget() {
                return Optional.empty();
            }
        };
    }
}
