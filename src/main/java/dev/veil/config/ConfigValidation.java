package dev.veil.config;

import org.jboss.logging.Logger;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The checks of the configuration that can be made before anything starts, in one place. Each problem is
 * reported as {@code property: what is wrong}, all of them at once, and the gateway does not start while
 * there is any.
 */
public final class ConfigValidation {
    private static final Logger LOG = Logger.getLogger(ConfigValidation.class);

    private static final Set<String> KINDS = Set.of("postgresql", "mysql", "mariadb");
    private static final Set<String> PASSWORD_METHODS = Set.of("scram-sha-256", "password");
    private static final Set<String> AUTH_PLUGINS = Set.of("caching_sha2_password", "mysql_native_password",
            "mysql_clear_password");

    private final VeilConfig config;
    private final List<String> problems = new ArrayList<>();

    private ConfigValidation(VeilConfig config) {
        this.config = config;
    }

    /** Refuses to go on while the configuration has problems (the exception lists them all). */
    public static void check(VeilConfig config) {
        List<String> problems = problems(config, System.getenv());
        if (!problems.isEmpty()) {
            throw new ConfigurationProblem("the configuration has " + (problems.size() == 1 ? "a problem" : problems.size() + " problems")
                    + ":\n  " + String.join("\n  ", problems));
        }
    }

    /** @param environment the process environment, checked for variables of renamed properties */
    public static List<String> problems(VeilConfig config, Map<String, String> environment) {
        ConfigValidation v = new ConfigValidation(config);
        RenamedProperties.check(environment, v.problems, LOG::warn);
        v.listeners();
        config.upstreams().forEach(v::upstream);
        v.audit();
        v.identity();
        v.analysis();
        v.masking(environment);
        return List.copyOf(v.problems);
    }

    private void masking(Map<String, String> environment) {
        try {
            PseudonymSecret.read(config.masking(), environment);
        } catch (ConfigurationProblem unreadable) {
            problems.add(unreadable.getMessage());
        }
    }

    private void listeners() {
        VeilConfig.PgListener pg = config.pg();
        listener("veil.pg", pg, "postgresql"::equals, "PostgreSQL listener needs one of kind postgresql");
        if (pg.enabled() && !PASSWORD_METHODS.contains(pg.passwordMethod().toLowerCase(Locale.ROOT))) {
            problem("veil.pg.password-method", "must be scram-sha-256 or password, not \"" + pg.passwordMethod() + "\"");
        }
        VeilConfig.MySqlListener my = config.mysql();
        listener("veil.mysql", my, k -> k.equals("mysql") || k.equals("mariadb"), "MySQL listener needs one of kind mysql or mariadb");
        if (my.enabled() && !AUTH_PLUGINS.contains(my.authPlugin().toLowerCase(Locale.ROOT))) {
            problem("veil.mysql.auth-plugin", "must be caching_sha2_password, mysql_native_password or mysql_clear_password, not \""
                    + my.authPlugin() + "\"");
        }
        port("veil.demo.postgres-port", config.demo().postgresPort(), 0);
        port("veil.demo.mariadb-port", config.demo().mariadbPort(), 0);
    }

    private void analysis() {
        VeilConfig.AnalysisSettings a = config.analysis();
        positive("veil.analysis.max-depth", a.maxDepth());
        positive("veil.analysis.max-tokens", a.maxTokens());
        positive("veil.analysis.max-time", a.maxTime());
    }

    private void listener(String prefix, Listener l, Predicate<String> ofKind, String kindRule) {
        if (!l.enabled()) {
            return;
        }
        notBlank(prefix + ".host", l.host());
        port(prefix + ".port", l.port(), 0);
        positive(prefix + ".max-client-connections", l.maxClientConnections());
        positive(prefix + ".max-authenticating-connections", l.maxAuthenticatingConnections());
        positive(prefix + ".max-authenticating-per-address", l.maxAuthenticatingPerAddress());
        positive(prefix + ".startup-timeout", l.startupTimeout());
        positive(prefix + ".max-message-bytes", l.maxMessageBytes());
        positive(prefix + ".authentication-timeout", l.authenticationTimeout());
        Listener.Tls tls = l.tls();
        if (tls.mode() != ListenerTlsMode.OFF) {
            if (tls.certFile().isPresent() != tls.keyFile().isPresent()) {
                problem(prefix + ".tls." + (tls.certFile().isPresent() ? "key-file" : "cert-file"), "required with "
                        + (tls.certFile().isPresent() ? "cert-file" : "key-file") + " (set neither for a self-signed certificate)");
            }
            tls.certFile().ifPresent(f -> readable(prefix + ".tls.cert-file", f));
            tls.keyFile().ifPresent(f -> readable(prefix + ".tls.key-file", f));
        }
        // In demo mode the embedded upstreams are registered at start, under their own names.
        if (l.defaultUpstream().isPresent() && !demoRuns()) {
            String name = l.defaultUpstream().get();
            VeilConfig.Upstream u = config.upstreams().get(name);
            if (u == null) {
                problem(prefix + ".default-upstream", "no upstream named \"" + name + "\" is configured (veil.upstreams: "
                        + String.join(", ", new TreeSet<>(config.upstreams().keySet())) + ")");
            } else if (!ofKind.test(u.kind())) {
                problem(prefix + ".default-upstream", "upstream \"" + name + "\" is of kind " + u.kind() + "; the " + kindRule);
            }
        }
    }

    private boolean demoRuns() {
        return switch (config.demo().mode()) {
            case ON -> true;
            case OFF -> false;
            case AUTO -> config.upstreams().isEmpty();
        };
    }

    private void upstream(String name, VeilConfig.Upstream u) {
        String prefix = "veil.upstreams." + name;
        if (!KINDS.contains(u.kind())) {
            problem(prefix + ".kind", "must be postgresql, mysql or mariadb, not \"" + u.kind() + "\"");
        }
        endpoint(prefix, u);
        VeilConfig.Pool pool = u.pool();
        positive(prefix + ".pool.max-size", pool.maxSize());
        if (pool.minSize() < 0 || pool.minSize() > pool.maxSize()) {
            problem(prefix + ".pool.min-size", "must be between 0 and max-size (" + pool.maxSize() + ")");
        }
        positive(prefix + ".pool.acquire-timeout", pool.acquireTimeout());
        if (pool.mode() == PoolingMode.TRANSACTION && !"postgresql".equalsIgnoreCase(u.kind())) {
            problem(prefix + ".pool.mode", "transaction pooling is for PostgreSQL upstreams only; use session for kind " + u.kind());
        }
        positive(prefix + ".pool.connect-timeout", pool.connectTimeout());
        positive(prefix + ".pool.maintenance-interval", pool.maintenanceInterval());
        positive(prefix + ".pool.idle-pool-timeout", pool.idlePoolTimeout());
        u.roleUsers().forEach((role, r) -> {
            String rolePrefix = prefix + ".role-users." + role;
            notBlank(rolePrefix + ".user", r.user());
            password(rolePrefix, r, prefix, u, r.user());
            if (r.readOnly()) {
                // One database user, one mode: read-only is a property of the user's connections, not of a role.
                List<String> writers = new ArrayList<>();
                if (r.user().equals(u.user())) {
                    writers.add("the upstream's own user");
                }
                u.roleUsers().forEach((other, o) -> {
                    if (!o.readOnly() && o.user().equals(r.user())) {
                        writers.add("role " + other);
                    }
                });
                if (!writers.isEmpty()) {
                    problem(rolePrefix + ".read-only", "user \"" + r.user() + "\" is also " + String.join(" and ", writers)
                            + ", which is not read-only; give the read-only role a database user of its own");
                }
            }
        });
        if (u.requireRoleUser() && u.roleUsers().isEmpty()) {
            problem(prefix + ".require-role-user", "true, but no role-users are configured: every session would be"
                    + " refused; configure " + prefix + ".role-users.<role>.user or set it to false");
        }
    }

    private void endpoint(String prefix, Endpoint e) {
        notBlank(prefix + ".host", e.host());
        port(prefix + ".port", e.port(), 1);
        notBlank(prefix + ".database", e.database());
        notBlank(prefix + ".user", e.user());
        password(prefix, e, prefix, e, e.user());
        e.tls().caFile().ifPresent(f -> readable(prefix + ".tls.ca-file", f));
    }

    /** The password {@code user} logs in to {@code server} with, from {@code source} (the endpoint's own, or a role user's). */
    private void password(String prefix, PasswordSource source, String serverPrefix, Endpoint server, String user) {
        List<String> sources = new ArrayList<>();
        source.password().ifPresent(p -> sources.add("password"));
        source.passwordEnv().ifPresent(p -> sources.add("password-env"));
        source.passwordFile().ifPresent(p -> sources.add("password-file"));
        if (sources.size() > 1) {
            problem(prefix, "set one password source, not " + String.join(" and ", sources));
        } else {
            try {
                if (EndpointPassword.read(prefix, source) == null) {
                    withoutPassword(prefix, source, serverPrefix, server, user);
                }
            } catch (IllegalStateException unreadable) {
                problems.add(unreadable.getMessage());
            }
        }
    }

    /**
     * Veil logs in without a password: only a server that trusts every connection from Veil's address accepts
     * that. Fine for a development server on this machine or the demo; elsewhere it must be meant, not a secret
     * that failed to arrive (an empty variable or file), so it takes allow-empty-password.
     */
    private void withoutPassword(String prefix, PasswordSource source, String serverPrefix, Endpoint e, String user) {
        if (e.allowEmptyPassword() || onLoopback(e.host()) || demoRuns()) {
            return;
        }
        problems.add(EndpointPassword.absence(prefix, source) + ", and " + e.host() + " is not on loopback: Veil would log in as \""
                + user + "\" without a password, which only a server with trust authentication accepts. Configure the"
                + " password, or set " + serverPrefix + ".allow-empty-password=true if the server is meant to trust Veil's address");
    }

    /** Loopback by the name or address configured; no name is looked up, so a name that merely resolves there does not count. */
    private static boolean onLoopback(String host) {
        String h = host.strip().toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.matches("127(\\.\\d{1,3}){3}") || h.equals("::1") || h.equals("[::1]")
                || h.equals("0:0:0:0:0:0:0:1");
    }

    private void audit() {
        VeilConfig.Audit a = config.audit();
        if (!a.enabled()) {
            return;
        }
        if (!a.file().enabled() && !a.postgres().enabled() && !a.stdout().enabled()) {
            problem("veil.audit.enabled", "true, but no sink is: enable veil.audit.file, veil.audit.postgres or veil.audit.stdout"
                    + " (or turn the audit trail off)");
        }
        positive("veil.audit.queue-capacity", a.queueCapacity());
        positive("veil.audit.max-batch", a.maxBatch());
        positive("veil.audit.checkpoint-every", a.checkpointEvery());
        positive("veil.audit.write-timeout", a.writeTimeout());
        VeilConfig.AuditPostgres pg = a.postgres();
        if (pg.enabled()) {
            endpoint("veil.audit.postgres", pg);
            // The reactive client verifies only against the certificates it is given (no system trust store).
            if (pg.tls().mode().verifies() && pg.tls().caFile().isEmpty()) {
                problem("veil.audit.postgres.tls.ca-file", "required with tls.mode " + pg.tls().mode().sslmode());
            }
        }
    }

    private void identity() {
        VeilConfig.IdentitySettings identity = config.identity();
        identity.oidc().forEach((name, p) -> {
            if (name.equals(VeilConfig.IdentitySettings.DEFAULT_PROVIDER)) {
                return;
            }
            String prefix = VeilConfig.IdentitySettings.oidcPrefix(name);
            if (p.issuer().filter(i -> !i.isBlank()).isEmpty()) {
                problem(prefix + ".issuer", "required (the provider's issuer URL)");
            }
            if (p.webClientSecret().isPresent()) {
                problem(prefix + ".web-client-secret", "only the default provider (veil.identity.oidc.issuer) serves the /login page");
            }
            algorithms(prefix, p);
        });
        identity.defaultProvider().ifPresent(p -> algorithms("veil.identity.oidc", p));
        positive("veil.identity.session.check-interval", identity.session().checkInterval());
        positive("veil.identity.session.max-per-identity", identity.session().maxPerIdentity());
        loginThrottle(identity.loginThrottle());
    }

    private void loginThrottle(VeilConfig.LoginThrottle t) {
        if (!t.enabled()) {
            return;
        }
        String prefix = "veil.identity.login-throttle";
        positive(prefix + ".free-failures", t.freeFailures());
        positive(prefix + ".first-delay", t.firstDelay());
        positive(prefix + ".forget-after", t.forgetAfter());
        if (t.maxDelay().compareTo(t.firstDelay()) < 0) {
            problem(prefix + ".max-delay", "must be at least first-delay (" + t.firstDelay() + "), not " + t.maxDelay());
        }
        if (t.userMaxDelay().isNegative() || t.userMaxDelay().compareTo(t.maxDelay()) > 0) {
            problem(prefix + ".user-max-delay", "must be between 0 and max-delay (" + t.maxDelay() + "), not " + t.userMaxDelay());
        }
        shorterThanLogin(t.maxDelay(), "veil.pg", config.pg());
        shorterThanLogin(t.maxDelay(), "veil.mysql", config.mysql());
    }

    /** A wait as long as the time a client has to log in would be a lockout: the right secret could never get in. */
    private void shorterThanLogin(Duration maxDelay, String listener, Listener l) {
        Duration timeout = l.authenticationTimeout();
        // A timeout that is not positive is reported on its own.
        if (l.enabled() && !timeout.isNegative() && !timeout.isZero() && maxDelay.compareTo(timeout) >= 0) {
            problem("veil.identity.login-throttle.max-delay", "must be shorter than " + listener + ".authentication-timeout ("
                    + l.authenticationTimeout() + "), or a client waiting it out could never log in; not " + maxDelay);
        }
    }

    private void algorithms(String prefix, VeilConfig.OidcProvider p) {
        for (String a : p.algorithms()) {
            if (VeilConfig.OidcProvider.NEVER_ACCEPTED.contains(a.strip().toUpperCase(Locale.ROOT))) {
                problem(prefix + ".algorithms", a + " is never accepted (symmetric or unsigned tokens could be forged)");
            }
        }
    }

    private void readable(String property, String file) {
        Path path = Path.of(file);
        if (!Files.isRegularFile(path)) {
            problem(property, file + " does not exist or is not a file");
        } else if (!Files.isReadable(path)) {
            problem(property, file + " is not readable");
        }
    }

    private void notBlank(String property, String value) {
        if (value.isBlank()) {
            problem(property, "must not be blank");
        }
    }

    private void port(String property, int port, int lowest) {
        if (port < lowest || port > 65535) {
            problem(property, "must be " + lowest + "-65535" + (lowest == 0 ? " (0: any free port)" : "") + ", not " + port);
        }
    }

    private void positive(String property, long value) {
        if (value < 1) {
            problem(property, "must be at least 1, not " + value);
        }
    }

    private void positive(String property, Duration value) {
        if (value.isNegative() || value.isZero()) {
            problem(property, "must be longer than 0, not " + value);
        }
    }

    private void problem(String property, String message) {
        problems.add(property + ": " + message);
    }
}
