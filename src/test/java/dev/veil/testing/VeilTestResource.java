package dev.veil.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Starts the real upstream server once for the integration suite and points Veil at it: upstream "main"
 * (SCRAM, password from a file, TLS verify-full), "md5" (md5, inline password), "tiny" (a pool of one
 * connection with a short wait), "txpool" (transaction pooling on two connections) and "flaky" (through a proxy
 * tests can cut). For MySQL clients, the shared
 * MariaDB: upstream "my" (mysql_native_password, TLS verify-full), "mytiny" (one connection, short wait) and
 * "myflaky" (through a proxy tests can cut), behind Veil's MySQL listener. Upstreams "roles" (a pool of one per
 * user), "rolestx" (the same under transaction pooling) and "myroles" map the roles of the local accounts
 * {@link #READER} (analyst, database user {@link #READER_DB_USER}, read-only) and {@link #WRITER} (engineer) to
 * database users of their own (RoleUsersThroughVeilTest).
 */
public class VeilTestResource implements QuarkusTestResourceLifecycleManager {
    public static final String USER = "tester";
    public static final String PASSWORD = "tester-secret";
    /** A local account with the admin role (audit API). */
    public static final String ADMIN_USER = "auditor";
    public static final String ADMIN_PASSWORD = "auditor-secret";

    /** A local account configured with {@code password: ""}: let in without a secret (the listeners bind loopback). */
    public static final String NO_PASSWORD_USER = "trusting";

    /** A service account (configured as a SCRAM verifier only). */
    public static final String SERVICE_ACCOUNT = "svc-reports";
    public static final String SERVICE_SECRET = "svc-reports-secret-1";

    /** Local accounts whose roles have database users of their own on upstreams roles, rolestx and myroles. */
    public static final String READER = "reader";
    public static final String READER_PASSWORD = "reader-secret";
    public static final String WRITER = "writer";
    public static final String WRITER_PASSWORD = "writer-secret";
    /** The database users of roles analyst (read-only) and engineer, on both test servers; no privileges of their own. */
    /** A local account listed as an AI agent, limited to 5 rows an hour. */
    public static final String ROWS_AGENT = "agent-rows";
    public static final String ROWS_AGENT_PASSWORD = "agent-rows-secret";
    public static final String READER_DB_USER = "veil_test_reader";
    public static final String WRITER_DB_USER = "veil_test_writer";

    /** veil.pg / veil.mysql max-authenticating-per-address of the suite's Veil. */
    public static final int MAX_AUTHENTICATING_PER_ADDRESS = 40;

    private static PostgresServer server;
    private static LocalOidcProvider idp;
    private static CuttableProxy flakyProxy;
    private static int veilPort;
    private static int veilMySqlPort;
    private static MariaDbServer mariadb;
    private static CuttableProxy myFlakyProxy;
    private static Path caFile;
    private static Path auditDirectory;
    private static Path work;

    @Override
    public Map<String, String> start() {
        try {
            work = Files.createTempDirectory("veil-test");
            server = UpstreamServers.startPostgres();
            caFile = UpstreamProvisioner.provision(server, work);
            flakyProxy = new CuttableProxy(server.host(), server.port());
            Path passwordFile = work.resolve("main-password");
            Files.writeString(passwordFile, UpstreamProvisioner.SCRAM_PASSWORD + "\n");
            veilPort = freePort();

            Map<String, String> cfg = new HashMap<>();
            cfg.put("veil.demo.mode", "off");
            // Audit to files in the test's own directory and to a table on the test server: two sinks at once.
            auditDirectory = work.resolve("audit");
            cfg.put("veil.audit.file.directory", auditDirectory.toString());
            cfg.put("veil.audit.record-parameters", "true");
            cfg.put("veil.audit.file.max-file-bytes", "65536"); // rotation happens throughout the suite
            cfg.put("veil.audit.postgres.enabled", "true");
            cfg.put("veil.audit.postgres.host", server.host());
            cfg.put("veil.audit.postgres.port", String.valueOf(server.port()));
            cfg.put("veil.audit.postgres.database", "postgres");
            cfg.put("veil.audit.postgres.user", server.superuser());
            cfg.put("veil.audit.postgres.password", server.superuserPassword());
            cfg.put("veil.audit.postgres.stream", "test-veil");
            cfg.put("veil.audit.postgres.tls.mode", "disable");
            cfg.put("veil.pg.port", String.valueOf(veilPort));
            // Above the 16 MiB defaults: the suite sends a 21 MB statement and 20 MB MySQL commands.
            cfg.put("veil.pg.max-message-bytes", String.valueOf(64 << 20));
            cfg.put("veil.mysql.max-message-bytes", String.valueOf(64 << 20));
            // Every client of the suite comes from 127.0.0.1, some tests open 20 raw connections at once: the
            // per-address limit of connections logging in is set here, and ConnectionLimitsThroughVeilTest fills it.
            cfg.put("veil.pg.max-authenticating-per-address", String.valueOf(MAX_AUTHENTICATING_PER_ADDRESS));
            cfg.put("veil.mysql.max-authenticating-per-address", String.valueOf(MAX_AUTHENTICATING_PER_ADDRESS));
            // Its stalled sockets must outlast a psql run on a busy machine.
            cfg.put("veil.pg.startup-timeout", "20s");
            cfg.put("veil.mysql.startup-timeout", "20s");
            // Every test fails logins from 127.0.0.1 and looks for their records: no rate limit for the suite.
            cfg.put("veil.audit.auth-failures.per-source", String.valueOf(Integer.MAX_VALUE));
            cfg.put("veil.pg.default-upstream", "main");
            cfg.put("veil.local-accounts." + USER + ".password", PASSWORD);
            cfg.put("veil.local-accounts.cleartext-user.password", "cleartext-secret");
            cfg.put("veil.local-accounts." + NO_PASSWORD_USER + ".password", "");
            cfg.put("veil.local-accounts." + ADMIN_USER + ".password", ADMIN_PASSWORD);
            cfg.put("veil.local-accounts." + ADMIN_USER + ".roles", "admin");

            upstream(cfg, "main", server.port(), "shop", UpstreamProvisioner.SCRAM_USER);
            cfg.put("veil.upstreams.main.password-file", passwordFile.toString());
            cfg.put("veil.upstreams.main.tls.mode", "verify-full");
            cfg.put("veil.upstreams.main.tls.ca-file", caFile.toString());
            cfg.put("veil.upstreams.main.pool.max-size", "2");

            upstream(cfg, "md5", server.port(), "shop", UpstreamProvisioner.MD5_USER);
            cfg.put("veil.upstreams.md5.password", UpstreamProvisioner.MD5_PASSWORD);
            cfg.put("veil.upstreams.md5.tls.mode", "disable");

            upstream(cfg, "tiny", server.port(), "shop", server.superuser());
            cfg.put("veil.upstreams.tiny.password", server.superuserPassword());
            cfg.put("veil.upstreams.tiny.tls.mode", "disable");
            cfg.put("veil.upstreams.tiny.pool.max-size", "1");
            cfg.put("veil.upstreams.tiny.pool.acquire-timeout", "300ms");

            // Transaction pooling: many sessions on two server connections (TransactionPoolingThroughVeilTest).
            upstream(cfg, "txpool", server.port(), "shop", server.superuser());
            cfg.put("veil.upstreams.txpool.password", server.superuserPassword());
            cfg.put("veil.upstreams.txpool.tls.mode", "disable");
            cfg.put("veil.upstreams.txpool.pool.max-size", "2");
            cfg.put("veil.upstreams.txpool.pool.mode", "transaction");

            upstream(cfg, "flaky", flakyProxy.port(), "shop", server.superuser());
            cfg.put("veil.upstreams.flaky.password", server.superuserPassword());
            cfg.put("veil.upstreams.flaky.tls.mode", "disable");
            roleUsers(cfg);
            mysql(cfg);
            identity(cfg);
            return cfg;
        } catch (Exception e) {
            throw new IllegalStateException("could not start the test upstream: " + e.getMessage(), e);
        }
    }

    /**
     * An identity provider with locally generated keys (discovery, JWKS and introspection over real HTTP), a
     * service account configured as a SCRAM verifier, and sessions ended when their token expires.
     */
    private static void identity(Map<String, String> cfg) throws Exception {
        idp = new LocalOidcProvider();
        cfg.put("veil.identity.oidc.local.issuer", idp.issuer());
        cfg.put("veil.identity.oidc.local.role-map.analysts", "analyst");
        cfg.put("veil.identity.oidc.local.role-map.admins", "admin");
        cfg.put("veil.identity.service-accounts." + SERVICE_ACCOUNT + ".verifier",
                dev.veil.identity.ScramVerifier.derive(SERVICE_SECRET, 4096, new java.security.SecureRandom()).format());
        cfg.put("veil.identity.service-accounts." + SERVICE_ACCOUNT + ".roles", "reporting");
        // Machine identities of the Keycloak realm (McpAgentThroughVeilTest): AI agents owned by alice.
        cfg.put("veil.agents.clients.agent-analyst.owner", "alice@example.com");
        cfg.put("veil.agents.clients.agent-limited.owner", "alice@example.com");
        cfg.put("veil.agents.clients.agent-limited.statements-per-minute", "3");
        // Its approved changes run as the engineer role's database user where an upstream maps roles (McpAgentChangesTest).
        cfg.put("veil.agents.clients.agent-analyst.approved-changes-role", "engineer");
        // An agent signing in with an account Veil holds, with a rows-per-hour limit (McpAgentChangesTest).
        cfg.put("veil.local-accounts." + ROWS_AGENT + ".password", ROWS_AGENT_PASSWORD);
        cfg.put("veil.local-accounts." + ROWS_AGENT + ".roles", "analyst");
        cfg.put("veil.agents.clients." + ROWS_AGENT + ".owner", "alice@example.com");
        cfg.put("veil.agents.clients." + ROWS_AGENT + ".rows-per-hour", "5");
        cfg.put("veil.identity.session.end-on-token-expiry", "true");
        cfg.put("veil.identity.session.check-interval", "200ms");
        // Failed logins all over the suite come from 127.0.0.1: waits of milliseconds keep it fast, while
        // LoginThrottleThroughVeilTest still sees them double (it reads the waits, never a wall clock).
        cfg.put("veil.identity.login-throttle.first-delay", "1ms");
        cfg.put("veil.identity.login-throttle.max-delay", "40ms");
        cfg.put("veil.identity.login-throttle.user-max-delay", "10ms");
    }

    public static LocalOidcProvider idp() {
        return idp;
    }

    private static void mysql(Map<String, String> cfg) throws Exception {
        mariadb = MariaDbServers.shared();
        try (java.sql.Connection c = mariadb.connectAsRoot(MariaDbServer.DATABASE); java.sql.Statement st = c.createStatement()) {
            // Room for the 16 MB+ packet tests; set before Veil opens any connection (the value is read at login).
            st.execute("SET GLOBAL max_allowed_packet = 268435456");
        }
        myFlakyProxy = new CuttableProxy(mariadb.host(), mariadb.port());
        veilMySqlPort = freePort();
        cfg.put("veil.mysql.port", String.valueOf(veilMySqlPort));
        cfg.put("veil.mysql.default-upstream", "my");
        MariaDbServer.Account nat = mariadb.nativeUser();
        mysqlUpstream(cfg, "my", mariadb.port(), nat);
        cfg.put("veil.upstreams.my.tls.mode", "verify-full");
        cfg.put("veil.upstreams.my.tls.ca-file", mariadb.caFile().toString());
        cfg.put("veil.upstreams.my.pool.max-size", "4");
        mysqlUpstream(cfg, "mytiny", mariadb.port(), nat);
        cfg.put("veil.upstreams.mytiny.tls.mode", "disable");
        cfg.put("veil.upstreams.mytiny.pool.max-size", "1");
        cfg.put("veil.upstreams.mytiny.pool.acquire-timeout", "300ms");
        mysqlUpstream(cfg, "myflaky", myFlakyProxy.port(), nat);
        cfg.put("veil.upstreams.myflaky.tls.mode", "disable");
        try (java.sql.Connection c = mariadb.connectAsRoot(MariaDbServer.DATABASE); java.sql.Statement st = c.createStatement()) {
            for (String user : List.of(READER_DB_USER, WRITER_DB_USER)) {
                st.execute("CREATE USER IF NOT EXISTS " + user + "@'%'");
                // A database user needs a right on the schema to log in to it; tests grant the rest per table.
                st.execute("GRANT SELECT ON " + MariaDbServer.DATABASE + ".customers TO " + user + "@'%'");
            }
        }
        mysqlUpstream(cfg, "myroles", mariadb.port(), nat);
        cfg.put("veil.upstreams.myroles.tls.mode", "disable");
        cfg.put("veil.upstreams.myroles.pool.max-size", "1");
        roleUsersOf(cfg, "myroles");
        // Veil in front of itself: the only caching_sha2_password server here is Veil's own MySQL listener
        // (MariaDB has no such plugin), so this upstream exercises Veil's client side of it.
        mysqlUpstream(cfg, "self", veilMySqlPort, new MariaDbServer.Account(USER, PASSWORD, "caching_sha2_password"));
        cfg.put("veil.upstreams.self.host", "127.0.0.1");
        cfg.put("veil.upstreams.self.kind", "mysql");
        cfg.put("veil.upstreams.self.tls.mode", "require");
    }

    private static void mysqlUpstream(Map<String, String> cfg, String name, int port, MariaDbServer.Account account) {
        String p = "veil.upstreams." + name + ".";
        cfg.put(p + "kind", mariadb.flavour() == MariaDbServer.Flavour.MYSQL ? "mysql" : "mariadb");
        cfg.put(p + "host", mariadb.host());
        cfg.put(p + "port", String.valueOf(port));
        cfg.put(p + "database", MariaDbServer.DATABASE);
        cfg.put(p + "user", account.user());
        cfg.put(p + "password", account.password());
    }

    public static MariaDbServer mariadb() {
        return mariadb;
    }

    public static CuttableProxy myFlakyProxy() {
        return myFlakyProxy;
    }

    public static int veilMySqlPort() {
        return veilMySqlPort;
    }

    /** MariaDB Connector/J URL through Veil; {@code extra} without the leading '&'. */
    public static String veilMariadbUrl(String database, String extra) {
        return "jdbc:mariadb://127.0.0.1:" + veilMySqlPort + "/" + database + "?sslMode=disable" + (extra.isEmpty() ? "" : "&" + extra);
    }

    /** MySQL Connector/J URL through Veil; {@code extra} without the leading '&'. */
    public static String veilMysqlUrl(String database, String extra) {
        return "jdbc:mysql://127.0.0.1:" + veilMySqlPort + "/" + database + "?sslMode=DISABLED" + (extra.isEmpty() ? "" : "&" + extra);
    }

    /**
     * The database users of roles analyst and engineer on the PostgreSQL server (trusted from loopback, as every
     * user but the SCRAM and md5 ones), and the upstreams that map the roles to them.
     */
    private static void roleUsers(Map<String, String> cfg) throws Exception {
        try (java.sql.Connection c = server.connectAsSuperuser("shop"); java.sql.Statement st = c.createStatement()) {
            for (String user : List.of(READER_DB_USER, WRITER_DB_USER)) {
                st.execute("DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '" + user + "') THEN CREATE ROLE "
                        + user + " LOGIN; END IF; END$$");
                st.execute("GRANT USAGE ON SCHEMA public TO " + user);
            }
        }
        cfg.put("veil.local-accounts." + READER + ".password", READER_PASSWORD);
        cfg.put("veil.local-accounts." + READER + ".roles", "analyst");
        cfg.put("veil.local-accounts." + WRITER + ".password", WRITER_PASSWORD);
        cfg.put("veil.local-accounts." + WRITER + ".roles", "engineer");
        for (String name : List.of("roles", "rolestx")) {
            upstream(cfg, name, server.port(), "shop", server.superuser());
            cfg.put("veil.upstreams." + name + ".password", server.superuserPassword());
            cfg.put("veil.upstreams." + name + ".tls.mode", "disable");
            cfg.put("veil.upstreams." + name + ".pool.max-size", "1");
            roleUsersOf(cfg, name);
        }
        cfg.put("veil.upstreams.rolestx.pool.mode", "transaction");
        // Only identities holding a mapped role may use it.
        upstream(cfg, "rolesonly", server.port(), "shop", server.superuser());
        cfg.put("veil.upstreams.rolesonly.password", server.superuserPassword());
        cfg.put("veil.upstreams.rolesonly.tls.mode", "disable");
        cfg.put("veil.upstreams.rolesonly.require-role-user", "true");
        roleUsersOf(cfg, "rolesonly");
    }

    private static void roleUsersOf(Map<String, String> cfg, String upstream) {
        String p = "veil.upstreams." + upstream + ".role-users.";
        cfg.put(p + "analyst.user", READER_DB_USER);
        cfg.put(p + "analyst.read-only", "true");
        cfg.put(p + "engineer.user", WRITER_DB_USER);
    }

    private static void upstream(Map<String, String> cfg, String name, int port, String db, String user) {
        String p = "veil.upstreams." + name + ".";
        cfg.put(p + "host", server.host());
        cfg.put(p + "port", String.valueOf(port));
        cfg.put(p + "database", db);
        cfg.put(p + "user", user);
    }

    @Override
    public void stop() {
        try {
            if (flakyProxy != null) {
                flakyProxy.close();
            }
            if (myFlakyProxy != null) {
                myFlakyProxy.close();
            }
        } catch (Exception ignored) {
            // best effort
        }
        if (server != null) {
            server.close();
        }
        if (idp != null) {
            idp.close();
        }
        // The password file, the CA and the audit files: nothing of a test run stays behind.
        if (work != null) {
            try (Stream<Path> paths = Files.walk(work)) {
                paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            } catch (IOException ignored) {
                // best effort: the directory is under the build's temporary directory anyway
            }
            work = null;
        }
    }

    public static PostgresServer server() {
        return server;
    }

    public static CuttableProxy flakyProxy() {
        return flakyProxy;
    }

    /** Where the in-process Veil writes its audit files. */
    public static Path auditDirectory() {
        return auditDirectory;
    }

    public static int veilPort() {
        return veilPort;
    }

    /** The Authorization header value of the admin account (HTTP Basic): audit API, health data, metrics. */
    public static String adminAuthorization() {
        return "Basic " + Base64.getEncoder().encodeToString((ADMIN_USER + ":" + ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8));
    }

    /** JDBC URL through Veil (TLS off unless the test asks for it). */
    public static String veilUrl(String database, String extra) {
        // pgjdbc URL-decodes the database name; "/" (upstream/database) must be encoded.
        return "jdbc:postgresql://127.0.0.1:" + veilPort + "/" + database.replace("/", "%2F") + "?sslmode=disable" + (extra.isEmpty() ? "" : "&" + extra);
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
