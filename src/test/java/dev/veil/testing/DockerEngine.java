package dev.veil.testing;

import org.testcontainers.DockerClientFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Whether the tests use containers, decided once per test JVM and said once at INFO. {@code VEIL_TEST_UPSTREAM}
 * forces it ({@code embedded} or {@code testcontainers}); otherwise containers are used when a Docker engine
 * answers. Testcontainers is only asked when there is a sign of an engine (DOCKER_HOST, a Docker socket, a
 * Testcontainers configuration file), and asked with its client-discovery logger muted: without an engine it
 * logs its failed discovery at ERROR, which on a machine that simply has no Docker is not an error.
 */
public final class DockerEngine {
    private static final Logger LOG = Logger.getLogger(DockerEngine.class.getName());
    private static final String DISCOVERY_LOGGER = "org.testcontainers.dockerclient";
    /**
     * The decision, kept as a system property: Quarkus tests load this class again in their own class loader, and
     * the decision (and its log line) must be one per JVM. Empty: containers; otherwise why not. Outside the
     * "veil." namespace, which Veil's configuration claims whole.
     */
    private static final String DECISION = "dev.veil.test.without-containers";

    /** What runs only in containers, named in the one line that says containers are not used. */
    static final String CONTAINER_ONLY_CASES = "the MySQL 8 cases (MariaDbServers.all) are skipped";

    private DockerEngine() {
    }

    /** True when the tests should start their servers in containers. */
    public static boolean useContainers() {
        return whyNoContainers() == null;
    }

    /** Why containers are not used (null while they are): for the reason of a skipped case. */
    public static String whyNoContainers() {
        synchronized (System.class) {
            String decided = System.getProperty(DECISION);
            if (decided == null) {
                decided = decide(System.getenv(), Path.of(System.getProperty("user.home")));
                System.setProperty(DECISION, decided);
                if (!decided.isEmpty()) {
                    LOG.info(decided + ": upstream servers are the embedded PostgreSQL and MariaDB; " + CONTAINER_ONLY_CASES);
                }
            }
            return decided.isEmpty() ? null : decided;
        }
    }

    private static String decide(Map<String, String> env, Path home) {
        String forced = env.getOrDefault("VEIL_TEST_UPSTREAM", "auto");
        if (forced.equals("testcontainers")) {
            return "";
        }
        if (forced.equals("embedded")) {
            return "VEIL_TEST_UPSTREAM=embedded";
        }
        if (!hasSignOfAnEngine(env, home)) {
            return "no Docker engine (no DOCKER_HOST, no Docker socket)";
        }
        return answers() ? "" : "the Docker engine does not answer";
    }

    static boolean hasSignOfAnEngine(Map<String, String> env, Path home) {
        if (env.containsKey("DOCKER_HOST") || Files.exists(home.resolve(".testcontainers.properties"))) {
            return true;
        }
        String runtimeDir = env.get("XDG_RUNTIME_DIR");
        List<Path> sockets = List.of(Path.of("/var/run/docker.sock"), home.resolve(".docker/run/docker.sock"),
                home.resolve(".docker/desktop/docker.sock"), Path.of(runtimeDir == null ? "/nonexistent" : runtimeDir, "docker.sock"));
        return sockets.stream().anyMatch(Files::exists);
    }

    private static boolean answers() {
        Logger discovery = Logger.getLogger(DISCOVERY_LOGGER);
        Level before = discovery.getLevel();
        discovery.setLevel(Level.OFF);
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable t) {
            return false;
        } finally {
            discovery.setLevel(before);
        }
    }
}
