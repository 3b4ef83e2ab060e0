package dev.veil.demo;

import dev.veil.config.EndpointTlsMode;
import dev.veil.config.VeilConfig;
import dev.veil.identity.Identity;
import dev.veil.identity.LocalAccounts;
import dev.veil.identity.MachineClients;
import dev.veil.identity.oidc.OidcProviders;
import dev.veil.upstream.DatabaseLogin;
import dev.veil.upstream.UpstreamRegistry;
import dev.veil.upstream.UpstreamSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * `make run` with no configuration: an embedded PostgreSQL and an embedded MariaDB, both holding the shop demo,
 * registered as upstreams "demo" (postgresql) and "demo-mariadb" (mariadb), and the three demo accounts.
 * Nothing here runs when upstreams are configured. The MariaDB is only started while the MySQL listener is
 * enabled, since nothing else would reach it. Without veil.policy.file, the demo's own policy decides.
 */
@ApplicationScoped
public class DemoMode {
    private static final Logger LOG = Logger.getLogger(DemoMode.class);

    /** The demo accounts (local, demo mode only); their roles get their rights from the demo policy. */
    public static final List<String[]> ACCOUNTS = List.of(
            new String[]{"admin", "admin-demo", "admin"},
            new String[]{"engineer", "engineer-demo", "engineer"},
            new String[]{"analyst", "analyst-demo", "analyst"},
            new String[]{"lead", "lead-demo", "admin"}); // a second admin: approves what admin asks (docs/approvals.md)

    /** The demo's AI agent: an account Veil holds, listed as an agent owned by analyst (docs/agents.md). */
    public static final String AGENT = "demo-agent";
    public static final String AGENT_PASSWORD = "agent-demo";

    public static final String POSTGRES_UPSTREAM = "demo";
    /** The database of the embedded PostgreSQL that holds the approval requests (admin/ApprovalBeans). */
    public static final String CONTROL_DATABASE = "veil_control";
    public static final String MARIADB_UPSTREAM = "demo-mariadb";

    private final VeilConfig config;
    private final UpstreamRegistry upstreams;
    private final LocalAccounts accounts;
    private final OidcProviders oidc;
    private final MachineClients machines;
    private final int postgresPort;
    private final int mariadbPort;
    private DemoPostgres postgres;
    private DemoMariaDb mariadb;
    private final DemoPolicy policy = new DemoPolicy();
    private final DemoBinaries binaries;

    public DemoMode(VeilConfig config, UpstreamRegistry upstreams, LocalAccounts accounts, OidcProviders oidc) {
        this(config, upstreams, accounts, oidc, new MachineClients(config));
    }

    @Inject
    public DemoMode(VeilConfig config, UpstreamRegistry upstreams, LocalAccounts accounts,
                    OidcProviders oidc, MachineClients machines) {
        this.oidc = oidc;
        this.machines = machines;
        this.config = config;
        this.upstreams = upstreams;
        this.accounts = accounts;
        this.postgresPort = config.demo().postgresPort();
        this.mariadbPort = config.demo().mariadbPort();
        this.binaries = DemoBinaries.forThisProcess(config.demo().binariesDirectory());
    }

    public boolean enabled() {
        return switch (config.demo().mode()) {
            case ON -> true;
            case OFF -> false;
            case AUTO -> config.upstreams().isEmpty();
        };
    }

    /** Both servers start side by side (each spends most of its start-up waiting on its own processes). */
    public void start() throws Exception {
        if (!binaries.fromClassPath()) {
            // The native executable finds the binaries jars at run time: a missing one stops the start here, with a
            // message naming it and where it was looked for, before either server is started.
            binaries.jar(DemoBinaries.POSTGRESQL);
            if (config.mysql().enabled()) {
                binaries.jar(DemoBinaries.MARIADB);
            }
        }
        long t0 = System.nanoTime();
        CompletableFuture<DemoMariaDb> mariadbStart = config.mysql().enabled()
                ? CompletableFuture.supplyAsync(this::startMariaDb, runnable -> {
                    Thread thread = new Thread(runnable, "demo-mariadb-start");
                    thread.setDaemon(true);
                    thread.start();
                })
                : CompletableFuture.completedFuture(null);
        try {
            postgres = DemoPostgres.start(postgresPort, binaries);
        } catch (Exception | Error e) {
            // The MariaDB being started must not outlive a failed start-up: wait for it, then stop it.
            try {
                DemoMariaDb started = mariadbStart.join();
                if (started != null) {
                    started.close();
                }
            } catch (CompletionException mariadbFailure) {
                e.addSuppressed(mariadbFailure.getCause());
            }
            throw e;
        }
        LOG.infof("demo PostgreSQL with the shop database on %s:%d (%d ms)", postgres.host(), postgres.port(),
                millisSince(t0));
        try {
            mariadb = mariadbStart.join();
        } catch (CompletionException e) {
            stop();
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
        postgres.createDatabase(CONTROL_DATABASE);
        upstreams.register(postgresUpstream(postgres.host(), postgres.port()));
        if (mariadb != null) {
            LOG.infof("demo MariaDB with the shop database on %s:%d (%d ms after demo start)", mariadb.host(),
                    mariadb.port(), millisSince(t0));
            upstreams.register(mariadbUpstream(mariadb.host(), mariadb.port()));
        }
        ACCOUNTS.forEach(a -> accounts.add(a[0], a[1], List.of(a[2])));
        accounts.add(AGENT, AGENT_PASSWORD, List.of("analyst"));
        // Owned by analyst, who approves its proposed changes; they run as the engineer role's database user.
        machines.register(AGENT, new MachineClients.Client(Identity.Kind.AGENT, "analyst", null, false, 120, 100_000,
                DemoDatabaseUsers.ENGINEER_ROLE));
        oidc.mapGroups(OidcProviders.DEFAULT, DEMO_GROUPS);
    }

    /**
     * The upstreams a demo started with this configuration serves, for the tools that run beside it with the same
     * (empty) configuration: {@code veil analyze} reads their catalogs from the running {@code make run}.
     */
    public List<UpstreamSettings> upstreamsOfARunningDemo() {
        return List.of(postgresUpstream(DemoPostgres.HOST, postgresPort), mariadbUpstream(DemoMariaDb.HOST, mariadbPort));
    }

    private static UpstreamSettings postgresUpstream(String host, int port) {
        return new UpstreamSettings(POSTGRES_UPSTREAM, "postgresql", host, port, DemoPostgres.SHOP_DATABASE,
                DemoPostgres.SUPERUSER, null, noTls(), pool(), roleUsers(), false);
    }

    private static UpstreamSettings mariadbUpstream(String host, int port) {
        return new UpstreamSettings(MARIADB_UPSTREAM, "mariadb", host, port, DemoMariaDb.SHOP_DATABASE,
                DemoMariaDb.ROOT_USER, null, noTls(), pool(), roleUsers(), false);
    }

    /** analyst and engineer reach both servers as their own database users; admin (and anyone else) as the superuser. */
    private static List<DatabaseLogin> roleUsers() {
        return List.of(new DatabaseLogin(DemoDatabaseUsers.ANALYST_ROLE, DemoDatabaseUsers.ANALYST_USER, null, true),
                new DatabaseLogin(DemoDatabaseUsers.ENGINEER_ROLE, DemoDatabaseUsers.ENGINEER_USER, null, false));
    }

    /** The provider's groups that become the demo roles when VEIL_IDENTITY_OIDC_ISSUER is set. */
    static final Map<String, String> DEMO_GROUPS = Map.of(
            "analysts", "analyst", "engineers", "engineer", "admins", "admin");

    /**
     * The policy file of the demo when veil.policy.file is not set: analysts read, engineers write under
     * guardrails, admins do anything but destructive DDL needs an approval (resources dev/veil/demo/demo-policy.yaml).
     */
    public Path policyFile() {
        return policy.file();
    }

    public void stop() {
        policy.delete();
        if (postgres != null) {
            postgres.close();
            postgres = null;
        }
        if (mariadb != null) {
            mariadb.close();
            mariadb = null;
        }
    }

    public String banner(String pgHost, int pgPort, int httpPort) {
        StringBuilder b = new StringBuilder("""

                ──────────────────────────────────────────────────────────────────────
                 Veil demo is ready. Connect through Veil (password: admin-demo):

                   psql "postgresql://admin@%s:%d/shop"
                """.formatted(pgHost, pgPort));
        if (mariadb != null) {
            b.append("   mysql -h %s -P %d -u analyst -panalyst-demo shop\n"
                    .formatted(config.mysql().host(), config.mysql().port()));
        }
        b.append("""

                 Accounts: admin/admin-demo, engineer/engineer-demo, analyst/analyst-demo
                 Demo PostgreSQL (direct, for comparison): psql -h %s -p %d -U postgres shop
                """.formatted(postgres.host(), postgres.port()));
        if (mariadb != null) {
            b.append(" Demo MariaDB (direct, for comparison): mysql -h %s -P %d -u root shop\n"
                    .formatted(mariadb.host(), mariadb.port()));
        }
        Path demoPolicy = policy.written();
        if (demoPolicy != null) {
            b.append("""
                     Policy: analyst reads; engineer writes under guardrails; admin too, but DROP/ALTER/TRUNCATE
                       need an approval. analyst and engineer see emails, phones, SSNs, cards and birth dates
                       masked; admin sees them clear. Edit %s and Veil reloads it.
                    """.formatted(demoPolicy));
        }
        config.identity().defaultProvider().ifPresent(p -> b.append("""
                 Single sign-on: tokens of %s (audience %s) are accepted as passwords;
                   user name = your email; groups analysts/engineers/admins = demo roles.
                   eval "$(veil login --issuer %s)" && psql -h %s -p %d shop
                """.formatted(p.issuer().get(), String.join(",", p.audience()), p.issuer().get(), pgHost, pgPort)));
        b.append("""
                 Web console: http://127.0.0.1:%1$d/console (sign in as admin/admin-demo)
                 AI agent over MCP: http://127.0.0.1:%1$d/mcp with "Authorization: Bearer demo-agent:agent-demo"
                   (role analyst, read-only, 120 statements a minute; docs/agents.md)
                 Health: http://127.0.0.1:%1$d/q/health/ready (details and /q/metrics: curl -u admin:admin-demo)
                ──────────────────────────────────────────────────────────────────────
                """.formatted(httpPort));
        return b.toString();
    }

    private DemoMariaDb startMariaDb() {
        try {
            return DemoMariaDb.start(mariadbPort, List.of(), binaries);
        } catch (Exception e) {
            throw new CompletionException(e);
        }
    }

    private static UpstreamSettings.TlsSettings noTls() {
        return new UpstreamSettings.TlsSettings(EndpointTlsMode.DISABLE, null);
    }

    private static UpstreamSettings.PoolSettings pool() {
        return new UpstreamSettings.PoolSettings(0, 50, Duration.ofMinutes(10), Duration.ofSeconds(5),
                Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofMinutes(10));
    }

    private static long millisSince(long nanoTime) {
        return (System.nanoTime() - nanoTime) / 1_000_000;
    }
}
