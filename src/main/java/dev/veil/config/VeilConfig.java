package dev.veil.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithUnnamedKey;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The one configuration root. Every property has a default so that an empty configuration starts the
 * demo: with no upstream configured, Veil starts embedded databases and fronts them.
 */
@ConfigMapping(prefix = "veil")
public interface VeilConfig {

    /** Name of this deployment's environment (prod, staging, dev…), recorded with every session. */
    @WithDefault("dev")
    String environment();

    Demo demo();

    PgListener pg();

    MySqlListener mysql();

    /** Local accounts (name → password). Demo mode adds admin, engineer and analyst. */
    Map<String, LocalAccount> localAccounts();

    /** Who may connect: OIDC providers whose tokens are accepted as passwords, service accounts, session lifetime. */
    IdentitySettings identity();

    /** Named upstream servers. */
    Map<String, Upstream> upstreams();

    /** The audit trail: what is recorded, where, and what happens when it cannot be written. */
    Audit audit();

    AnalysisSettings analysis();

    /** The policy file: who holds which role, and the rules that decide on statements (docs/policy.md). */
    PolicySettings policy();

    /** Veil's own log (not the audit trail). */
    LogSettings log();

    /** Dynamic masking of results (docs/masking.md). */
    MaskingSettings masking();

    /** The web console under /console (docs/console.md). */
    ConsoleSettings console();

    /** Machine identities: which OAuth clients are AI agents or services, their owners and limits (docs/agents.md). */
    AgentSettings agents();

    /** The MCP endpoint for AI agents on the HTTP port (docs/agents.md). */
    McpSettings mcp();

    /** Statements held for a human approval: the requests' database, waits, links (docs/approvals.md). */
    ApprovalSettings approvals();

    /** Just-in-time access requests and break-glass grants: their table beside the approvals' (docs/access.md). */
    AccessSettings access();

    interface MaskingSettings {
        /**
         * The key of the pseudonym and hash maskers (HMAC-SHA-256), 16 bytes or more: the same value gives the same
         * pseudonym as long as the key stays. Prefer pseudonym-secret-file or pseudonym-secret-env. Unset: Veil makes
         * a random one at each start (pseudonyms then change on restart; logged as a warning outside demo mode).
         */
        Optional<String> pseudonymSecret();

        /** Path of a file (e.g. a mounted Kubernetes secret) holding the pseudonym secret. */
        Optional<String> pseudonymSecretFile();

        /** Name of an environment variable holding the pseudonym secret. */
        Optional<String> pseudonymSecretEnv();
    }

    interface LogSettings {
        /**
         * One JSON object per line (timestamp, level, loggerName, message, thread…) on the console instead of
         * text, for log collectors (VEIL_LOG_JSON=true). application.properties hands it to
         * quarkus.log.console.json.enabled, which may also be set directly.
         */
        @WithDefault("false")
        boolean json();
    }

    interface PolicySettings {
        /**
         * The policy file (YAML). Loaded at start (a file with mistakes stops the start, naming each with its line
         * and column) and again whenever it changes: its directory is watched, so a Kubernetes ConfigMap mount
         * works. A changed file with mistakes is refused and the policy in force stays. Unset: Veil's built-in
         * rules decide, and every other statement is allowed (rule no-policy).
         */
        Optional<String> file();
    }

    interface AnalysisSettings {
        /**
         * How often each upstream's catalog snapshot is re-read, in the background (it is also re-read when a
         * transaction that ran DDL through Veil ends). Changes made around Veil are seen within this time.
         */
        @WithDefault("5m")
        Duration catalogRefresh();

        /**
         * The deepest nesting Veil hands to Calcite (parentheses, CASE, sub-queries, chained operators), in
         * levels; deeper statements are not analysed (fail closed). Calcite recurses once per level and runs
         * out of stack at a few hundred.
         */
        @WithDefault("200")
        int maxDepth();

        /**
         * The most tokens of one statement Veil hands to Calcite, once constant VALUES rows and IN lists are
         * shortened; longer statements are not analysed (fail closed).
         */
        @WithDefault("100000")
        int maxTokens();

        /**
         * How much CPU time one statement's analysis (a cache miss) may take; past it, the analysis fails closed.
         * Ordinary statements take about a millisecond; the first after start-up about 2 s (Calcite loads).
         */
        @WithDefault("5s")
        Duration maxTime();

        /**
         * Whether column classification reads a bounded sample of each table's values (on a connection of its own,
         * in the background after a catalog read; see docs/classification.md). Off: tags come from column names,
         * comments and types only.
         */
        @WithDefault("true")
        boolean sampleValues();
    }

    enum DemoMode { AUTO, ON, OFF }

    interface Demo {
        /** auto: demo when no upstream is configured; on: always; off: never. */
        @WithDefault("auto")
        DemoMode mode();

        /** Port of the embedded PostgreSQL the demo starts. */
        @WithDefault("15433")
        int postgresPort();

        /** Port of the embedded MariaDB the demo starts (user root, no password, loopback only). */
        @WithDefault("13307")
        int mariadbPort();

        /**
         * Native executable only: a directory holding the embedded servers' binaries jars (as named in the local
         * Maven repository), searched before that repository; default ~/.cache/veil/demo-binaries (docs/native-build.md).
         */
        Optional<String> binariesDirectory();

        /**
         * Whether the demo brings its own policy (analyst reads, engineer writes under guardrails, admin's
         * destructive DDL needs an approval) when veil.policy.file is not set. false: no policy, as before.
         */
        @WithDefault("true")
        boolean policy();
    }

    /** The MySQL listener: the shared listener properties, and how MySQL clients are asked to authenticate. */
    interface MySqlListener extends Listener {
        @Override
        @WithDefault("13306")
        int port();

        /**
         * Auth plugin offered first to clients: caching_sha2_password, mysql_native_password, or
         * mysql_clear_password (only honoured inside TLS or on loopback).
         */
        @WithDefault("caching_sha2_password")
        String authPlugin();

        /**
         * Skip caching_sha2_password's fast path and always ask for the password itself (accepted only
         * inside TLS), as a server with an empty cache does.
         */
        @WithDefault("false")
        boolean cachingSha2FullAuthentication();
    }

    /** The PostgreSQL listener: the shared listener properties, and how PostgreSQL clients are asked for passwords. */
    interface PgListener extends Listener {
        @Override
        @WithDefault("15432")
        int port();

        /**
         * How local-account passwords are asked for: scram-sha-256, or password (cleartext, which is only
         * offered inside TLS or on loopback; elsewhere SCRAM is used).
         */
        @WithDefault("scram-sha-256")
        String passwordMethod();

        @WithDefault("4096")
        int scramIterations();
    }

    interface IdentitySettings {
        /** The name of the provider configured directly under veil.identity.oidc (issuer, audience…). */
        String DEFAULT_PROVIDER = "default";

        /**
         * OIDC providers; a token is matched to one by its issuer. The organisation's provider is configured
         * directly under veil.identity.oidc (VEIL_IDENTITY_OIDC_ISSUER…, also serving the /login page), further
         * ones by name under veil.identity.oidc.&lt;name&gt; (one per tenant or per audience).
         */
        @WithUnnamedKey(DEFAULT_PROVIDER)
        Map<String, OidcProvider> oidc();

        /** The default provider, when its issuer is set. */
        default Optional<OidcProvider> defaultProvider() {
            OidcProvider p = oidc().get(DEFAULT_PROVIDER);
            return p != null && p.issuer().filter(i -> !i.isBlank()).isPresent() ? Optional.of(p) : Optional.empty();
        }

        /** Where a provider's properties are: veil.identity.oidc for the default one, else veil.identity.oidc.&lt;name&gt;. */
        static String oidcPrefix(String provider) {
            return DEFAULT_PROVIDER.equals(provider) ? "veil.identity.oidc" : "veil.identity.oidc." + provider;
        }

        /** Applications' accounts: name → SCRAM-SHA-256 verifier of the secret (never the secret itself). */
        Map<String, ServiceAccount> serviceAccounts();

        /**
         * Whether a password or token may be sent in clear on a loopback connection without TLS. Unset: allowed
         * in demo mode only; a pod whose clients connect through a sidecar on loopback may turn it on.
         */
        Optional<Boolean> loopbackCleartext();

        SessionLifetime session();

        /** Failed logins slow the next attempts from the same address, and mildly for the same user name. */
        LoginThrottle loginThrottle();
    }

    /**
     * Backoff after failed logins, on every surface (PostgreSQL, MySQL, the admin API); never a lockout. See
     * identity/LoginThrottle for why an attacker cannot use it against a real user.
     */
    interface LoginThrottle {
        @WithDefault("true")
        boolean enabled();

        /** Failures (per client address, and per user name over all addresses) before attempts wait. */
        @WithDefault("5")
        int freeFailures();

        /** The first wait; each further failure doubles it. */
        @WithDefault("250ms")
        Duration firstDelay();

        /** The longest wait for an address; below the listeners' authentication-timeout, so a right secret gets in. */
        @WithDefault("15s")
        Duration maxDelay();

        /** The longest wait that failures for a user name from other addresses impose: low, so it only slows. */
        @WithDefault("2s")
        Duration userMaxDelay();

        /** Counts are forgotten this long after their last failure. */
        @WithDefault("15m")
        Duration forgetAfter();
    }

    interface OidcProvider {
        /**
         * The provider's issuer URL; discovery (/.well-known/openid-configuration) is read from it. Required for
         * a named provider; without it the default provider is off (and so is /login).
         */
        Optional<String> issuer();

        /** Audiences of which the token's aud must contain at least one. */
        @WithDefault("veil-gateway")
        List<String> audience();

        /** Where the signing keys are; discovered from the issuer when unset. */
        Optional<String> jwksUri();

        /** Claims, in order, whose value the database user name must equal (emails compare case-insensitively). */
        @WithDefault("email,preferred_username")
        List<String> userClaims();

        /** The claim holding the groups or roles (a list, or a space/comma separated string); dots walk into objects. */
        @WithDefault("groups")
        String rolesClaim();

        /** Group → Veil role. When empty, group names are taken as role names; otherwise unmapped groups give nothing. */
        Map<String, String> roleMap();

        /** Algorithms no provider may list: none, and the HMAC family, whose "key" would be public. */
        Set<String> NEVER_ACCEPTED = Set.of("NONE", "HS256", "HS384", "HS512");

        /** Signature algorithms accepted. Symmetric (HS*) and none are never accepted (see NEVER_ACCEPTED). */
        @WithDefault("RS256,RS384,RS512,PS256,PS384,PS512,ES256,ES384,ES512")
        List<String> algorithms();

        /** Tolerance for exp, nbf and iat against this pod's clock. */
        @WithDefault("30s")
        Duration clockSkew();

        /** Tokens issued (iat) longer ago than this are refused even if not expired, so an old token cannot be replayed. */
        Optional<Duration> maxTokenAge();

        /** How long fetched signing keys are kept before they are read again. */
        @WithDefault("60m")
        Duration jwksRefresh();

        /** A token signed with an unknown key id makes Veil re-read the keys at most this often (key rotation). */
        @WithDefault("1m")
        Duration unknownKeyRefetch();

        /** When set, the token's azp (authorized party: the client it was issued to) must be one of these. */
        Optional<List<String>> allowedClients();

        /**
         * Client credentials for the provider's token introspection endpoint (RFC 7662). When set, every token is
         * also introspected, so a revoked token or ended provider session is refused.
         */
        Optional<String> introspectionClientId();

        Optional<String> introspectionClientSecret();

        /** The default provider only: the confidential client of the /login page (authorization code flow). */
        @WithDefault("veil-web")
        String webClientId();

        /** The default provider only: that client's secret; /login is off without it. */
        Optional<String> webClientSecret();
    }

    interface ServiceAccount {
        /**
         * The secret's SCRAM-SHA-256 verifier, in PostgreSQL's format: SCRAM-SHA-256$iterations:salt$StoredKey:ServerKey
         * (`veil hash-secret` prints one).
         */
        String verifier();

        Optional<List<String>> roles();
    }

    interface SessionLifetime {
        /** Sessions older than this are ended (0 = no limit). */
        @WithDefault("12h")
        Duration maxAge();

        /** End a session once the token it was opened with has expired. */
        @WithDefault("false")
        boolean endOnTokenExpiry();

        /** How often live sessions are checked against the limits above. */
        @WithDefault("5s")
        Duration checkInterval();

        /** Sessions one identity may hold over both listeners; one more is refused at login (53300 / MySQL 1203). */
        @WithDefault("100")
        int maxPerIdentity();
    }

    interface LocalAccount {
        /**
         * The account's password. Unset or empty: an account without a password, which logs in without being
         * asked for one; allowed only while every enabled listener binds loopback, or in demo mode.
         */
        Optional<String> password();

        /** Roles given to the account (used by policy in later stages). */
        Optional<List<String>> roles();
    }

    /** An upstream server: its endpoint (host, port, user, password source, TLS), its kind and its pool. */
    interface Upstream extends Endpoint {
        /** postgresql, mysql or mariadb. */
        @WithDefault("postgresql")
        String kind();

        /** Database used when the client names none. */
        @Override
        @WithDefault("postgres")
        String database();

        Pool pool();

        /**
         * The database user each Veil role reaches this upstream as (role name → user), so the database's own
         * privileges back the policy. A session gets the first that applies, read-only users first, then by role
         * name; with none, the upstream's own user (docs/configuration.md#database-users-per-role).
         */
        Map<String, RoleUser> roleUsers();

        /** Refuse a session whose identity holds none of the roles of role-users, instead of using the upstream's user. */
        @WithDefault("false")
        boolean requireRoleUser();
    }

    /** A database user of one role: its name, its password source, and whether its sessions only read. */
    interface RoleUser extends PasswordSource {
        String user();

        /**
         * The server connection runs read-only (PostgreSQL default_transaction_read_only, MySQL SET SESSION
         * TRANSACTION READ ONLY) and Veil refuses the statements that would make it read-write.
         */
        @WithDefault("false")
        boolean readOnly();
    }

    interface Pool {
        @WithDefault("0")
        int minSize();

        @WithDefault("20")
        int maxSize();

        /** Idle connections above min-size are closed after this long. */
        @WithDefault("10m")
        Duration idleTimeout();

        /** How long a session waits for a connection when the pool is exhausted (then 53300). */
        @WithDefault("5s")
        Duration acquireTimeout();

        @WithDefault("5s")
        Duration connectTimeout();

        /** A connection idle longer than this is checked with a round trip before it is handed out. */
        @WithDefault("30s")
        Duration healthCheckAfterIdle();

        /** How often the pool closes expired idle connections and refills to min-size. */
        @WithDefault("10s")
        Duration maintenanceInterval();

        /**
         * The pool of a database other than the upstream's configured one (a client named it) is removed, with
         * its connections and metric series, once no session has leased from it for this long.
         */
        @WithDefault("10m")
        Duration idlePoolTimeout();

        /**
         * session: a client holds one server connection for its session; transaction (PostgreSQL only): only
         * while a transaction is open, or for one statement / Sync cycle outside one (docs/postgresql-wire.md).
         */
        @WithDefault("session")
        PoolingMode mode();
    }

    enum AuditDurability { FSYNC, WRITE }

    /**
     * When a read's decision record must be durable (fsync'd): before the read runs, before its answer, or by
     * the next group commit without holding anything (it is in the audit file before the read runs in every case).
     */
    enum ReadBarrier { RUN, REPLY, NONE }

    interface Audit {
        /** Record the audit trail at all. Off means no record of anything: only for experiments. */
        @WithDefault("true")
        boolean enabled();

        /**
         * Refuse statements (SQLSTATE 53000, MySQL 1290) while no sink can record them. false: statements run,
         * the gap is logged and counted (veil_audit_failures_total).
         */
        @WithDefault("true")
        boolean failClosed();

        /**
         * fsync: a decision is on disk (file sink fsync'd, group commit) before its statement runs, so it
         * survives a machine crash; write: handed to the operating system, which survives a crash of Veil but
         * not of the machine.
         */
        @WithDefault("fsync")
        AuditDurability durability();

        /**
         * What a statement the analysis finds read-only (kind READ) waits for; statements that may change
         * anything always wait for their fsync before they go upstream (group commit). none: the read goes
         * upstream once its decision record is written to the audit file (where a crash of Veil cannot take it
         * back) and its answer is not held; the record is fsync'd by the next group commit, which the writer
         * starts at once, so only a crash of the machine within that fsync can lose it. reply: the same, but the
         * answer is held until the fsync, so nothing is shown to a client before its record is durable. run: the
         * read waits for the fsync before it goes upstream, like everything else. Without a file sink, always run.
         */
        @WithDefault("none")
        ReadBarrier readsDurableBefore();

        /** Replace literals in recorded statement text with {@code ?} (the fingerprint always uses the redacted form). */
        @WithDefault("true")
        boolean redactLiterals();

        /** Record bind parameters of prepared statements (text values; binary ones as their hex). */
        @WithDefault("false")
        boolean recordParameters();

        /**
         * Statement text kept in a record, in characters; a longer statement keeps its beginning, its full length
         * and the SHA-256 of the whole text (statementTruncated true).
         */
        @WithDefault("65536")
        int maxStatementChars();

        /**
         * Characters kept of every other text value of a record (user, database and application names, error
         * messages, parameters, …); a longer one ends with {@code …[truncated: N chars]}. Lists keep 16 such fields' worth.
         */
        @WithDefault("1024")
        int maxFieldChars();

        /** Failed authentications recorded one by one per client address; see {@link AuthFailures}. */
        AuthFailures authFailures();

        /** Events waiting for the writer; when full, statements are refused as if the sink had failed. */
        @WithDefault("65536")
        int queueCapacity();

        /** Most records in one batch (one write and one fsync). */
        @WithDefault("1024")
        int maxBatch();

        /** A checkpoint record after this many records… */
        @WithDefault("1000")
        int checkpointEvery();

        /** …or after this long, whichever comes first. */
        @WithDefault("1m")
        Duration checkpointInterval();

        /** How long a statement waits for its decision record to be stored before it is refused. */
        @WithDefault("10s")
        Duration writeTimeout();

        /** How often a failed sink is tried again. */
        @WithDefault("1s")
        Duration retryInterval();

        AuditFile file();

        AuditPostgres postgres();

        AuditStdout stdout();
    }

    /**
     * A client address gets at most {@code per-source} auth.failed records per {@code window}; the failures past
     * that are counted (veil_auth_failures_total counts every one) and summed up in one auth.suppressed record
     * when the window ends. Without this, anyone who can reach the listener could fill the audit disk with
     * failed logins, and Veil then (rightly) refuses every statement.
     */
    interface AuthFailures {
        @WithDefault("30")
        int perSource();

        @WithDefault("1m")
        Duration window();
    }

    interface AuditFile {
        /** JSON Lines files (the default sink). */
        @WithDefault("true")
        boolean enabled();

        /** Directory of the audit files (relative paths are relative to Veil's working directory). */
        @WithDefault("veil-audit")
        String directory();

        /** A new file is started once the current one reaches this size… */
        @WithDefault("104857600")
        long maxFileBytes();

        /** …or this age. */
        @WithDefault("24h")
        Duration rotateEvery();
    }

    /** The control-plane database of the audit table: an endpoint like an upstream, with its own defaults. */
    interface AuditPostgres extends Endpoint {
        /** Also store records in a table of a control-plane PostgreSQL database. */
        @WithDefault("false")
        boolean enabled();

        @Override
        @WithDefault("127.0.0.1")
        String host();

        @Override
        @WithDefault("veil")
        String database();

        @Override
        @WithDefault("veil")
        String user();

        /** Table (created if missing); optionally schema-qualified. */
        @WithDefault("veil_audit")
        String table();

        /** This instance's stream in the shared table; default: the host name. */
        Optional<String> stream();
    }

    interface AuditStdout {
        /** Also print every record as a JSON line on standard output. */
        @WithDefault("false")
        boolean enabled();
    }
}
