package dev.veil.demo;

import dev.veil.config.VeilConfig;
import dev.veil.identity.LocalAccounts;
import dev.veil.upstream.UpstreamRegistry;
import dev.veil.upstream.UpstreamSettings;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;

/**
 * `make run` with no configuration: an embedded PostgreSQL holding the shop demo, registered as upstream
 * "demo", and the three demo accounts. Nothing here runs when upstreams are configured.
 */
@ApplicationScoped
public class DemoMode {
    private static final Logger LOG = Logger.getLogger(DemoMode.class);

    /** The demo accounts (local, demo mode only). Later stages give them different rights. */
    public static final List<String[]> ACCOUNTS = List.of(
            new String[]{"admin", "admin-demo", "admin"},
            new String[]{"engineer", "engineer-demo", "engineer"},
            new String[]{"analyst", "analyst-demo", "analyst"});

    private final VeilConfig config;
    private final UpstreamRegistry upstreams;
    private final LocalAccounts accounts;
    private final int postgresPort;
    private DemoPostgres postgres;

    public DemoMode(VeilConfig config, UpstreamRegistry upstreams, LocalAccounts accounts) {
        this.config = config;
        this.upstreams = upstreams;
        this.accounts = accounts;
        this.postgresPort = config.demo().postgresPort();
    }

    public boolean enabled() {
        return switch (config.demo().mode()) {
            case ON -> true;
            case OFF -> false;
            case AUTO -> config.upstreams().isEmpty();
        };
    }

    public void start() throws Exception {
        long t0 = System.nanoTime();
        postgres = DemoPostgres.start(postgresPort);
        LOG.infof("demo PostgreSQL with the shop database on %s:%d (%d ms)", postgres.host(), postgres.port(),
                (System.nanoTime() - t0) / 1_000_000);
        upstreams.register(new UpstreamSettings("demo", "postgresql", postgres.host(), postgres.port(),
                DemoPostgres.SHOP_DATABASE, postgres.user(), null,
                new UpstreamSettings.TlsSettings(UpstreamSettings.TlsMode.DISABLE, null),
                new UpstreamSettings.PoolSettings(0, 50, Duration.ofMinutes(10), Duration.ofSeconds(5),
                        Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(10))));
        ACCOUNTS.forEach(a -> accounts.add(a[0], a[1], List.of(a[2])));
    }

    public void stop() {
        if (postgres != null) {
            postgres.close();
        }
    }

    public String banner(String pgHost, int pgPort, int httpPort) {
        return """

                ──────────────────────────────────────────────────────────────────────
                 Veil demo is ready. Connect through Veil (password: admin-demo):

                   psql "postgresql://admin@%s:%d/shop"

                 Accounts: admin/admin-demo, engineer/engineer-demo, analyst/analyst-demo
                 Demo PostgreSQL (direct, for comparison): psql -h %s -p %d -U postgres shop
                 Health: http://127.0.0.1:%d/q/health/ready
                ──────────────────────────────────────────────────────────────────────
                """.formatted(pgHost, pgPort, postgres.host(), postgres.port(), httpPort);
    }
}
