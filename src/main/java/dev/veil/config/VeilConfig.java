package dev.veil.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

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

    /** Veil's own log (not the audit trail). */
    LogSettings log();

    /** The organisation's OpenID Provider (issue 5). */
    Oidc oidc();

    interface Oidc {
        /** Issuer URL (VEIL_OIDC_ISSUER), e.g. https://id.example.com/realms/veil. Unset: no provider, /login is off. */
        Optional<String> issuer();

        /** Confidential client of the /login page (authorization code flow). */
        @WithDefault("veil-web")
        String webClientId();

        /** Its secret (VEIL_OIDC_WEB_CLIENT_SECRET); /login is off without it. */
        Optional<String> webClientSecret();

        /**
         * The audience tokens must carry to be accepted as database passwords (VEIL_OIDC_AUDIENCE). With an
         * issuer set, Veil accepts that provider's tokens with its defaults (email or preferred_username as user
         * name, the groups claim as roles); veil.identity.oidc.* configures providers in full.
         */
        @WithDefault("veil-gateway")
        String audience();
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

    interface AnalysisSettings {
        /**
         * How often each upstream's catalog snapshot is re-read, in the background (it is also re-read when a
         * transaction that ran DDL through Veil ends). Changes made around Veil are seen within this time.
         */
        @WithDefault("5m")
        Duration catalogRefresh();
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
    }

    interface MySqlListener {
        @WithDefault("true")
        boolean enabled();

        @WithDefault("127.0.0.1")
        String host();

        @WithDefault("13306")
        int port();

        /** Upstream (kind mysql or mariadb) used when the client's schema does not name one as {@code upstream/schema}. */
        Optional<String> defaultUpstream();

        @WithDefault("1000")
        int maxClientConnections();

        /** Time a client has to finish TLS and authentication. */
        @WithDefault("30s")
        Duration authenticationTimeout();

        /** Largest command (after joining 16 MB packets) accepted; larger ones end the connection (errno 1153). */
        @WithDefault("67108864")
        int maxPacketBytes();

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

        Tls tls();
    }

    interface PgListener {
        @WithDefault("true")
        boolean enabled();

        @WithDefault("127.0.0.1")
        String host();

        @WithDefault("15432")
        int port();

        /** Upstream used when the client's database name does not name one as {@code upstream/database}. */
        Optional<String> defaultUpstream();

        /** Largest frontend message accepted after startup; larger ones end the connection with 08P01. */
        @WithDefault("67108864")
        int maxMessageBytes();

        @WithDefault("1000")
        int maxClientConnections();

        /** Time a client has to finish TLS, startup and authentication. */
        @WithDefault("30s")
        Duration authenticationTimeout();

        /**
         * How local-account passwords are asked for: scram-sha-256, or password (cleartext, which is only
         * offered inside TLS or on loopback; elsewhere SCRAM is used).
         */
        @WithDefault("scram-sha-256")
        String passwordMethod();

        @WithDefault("4096")
        int scramIterations();

        Tls tls();
    }

    interface Tls {
        /** off: SSLRequest is refused; optional: TLS on request; required: plain-text startups are refused. */
        @WithDefault("optional")
        TlsMode mode();

        /** PEM certificate chain. Without it (and in demo mode) a self-signed certificate is generated. */
        Optional<String> certFile();

        Optional<String> keyFile();
    }

    enum TlsMode { OFF, OPTIONAL, REQUIRED }

    interface IdentitySettings {
        /** OIDC providers by name (one per tenant or per audience); a token is matched to one by its issuer. */
        Map<String, OidcProvider> oidc();

        /** Applications' accounts: name → SCRAM-SHA-256 verifier of the secret (never the secret itself). */
        Map<String, ServiceAccount> serviceAccounts();

        /**
         * Whether a password or token may be sent in clear on a loopback connection without TLS. Unset: allowed
         * in demo mode only; a pod whose clients connect through a sidecar on loopback may turn it on.
         */
        Optional<Boolean> loopbackCleartext();

        SessionLifetime session();
    }

    interface OidcProvider {
        /** The provider's issuer URL; discovery (/.well-known/openid-configuration) is read from it. */
        String issuer();

        /** Audiences of which the token's aud must contain at least one. */
        @WithDefault("veil-gateway")
        java.util.List<String> audience();

        /** Where the signing keys are; discovered from the issuer when unset. */
        Optional<String> jwksUri();

        /** Claims, in order, whose value the database user name must equal (emails compare case-insensitively). */
        @WithDefault("email,preferred_username")
        java.util.List<String> userClaims();

        /** The claim holding the groups or roles (a list, or a space/comma separated string); dots walk into objects. */
        @WithDefault("groups")
        String rolesClaim();

        /** Group → Veil role. When empty, group names are taken as role names; otherwise unmapped groups give nothing. */
        Map<String, String> roleMap();

        /** Signature algorithms accepted. Symmetric (HS*) and none are never accepted, whatever this says. */
        @WithDefault("RS256,RS384,RS512,PS256,PS384,PS512,ES256,ES384,ES512")
        java.util.List<String> algorithms();

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
        Optional<java.util.List<String>> allowedClients();

        /**
         * Client credentials for the provider's token introspection endpoint (RFC 7662). When set, every token is
         * also introspected, so a revoked token or ended provider session is refused.
         */
        Optional<String> introspectionClientId();

        Optional<String> introspectionClientSecret();
    }

    interface ServiceAccount {
        /**
         * The secret's SCRAM-SHA-256 verifier, in PostgreSQL's format: SCRAM-SHA-256$iterations:salt$StoredKey:ServerKey
         * (`veil hash-secret` prints one).
         */
        String verifier();

        Optional<java.util.List<String>> roles();
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
    }

    interface LocalAccount {
        String password();

        /** Roles given to the account (used by policy in later stages). */
        Optional<java.util.List<String>> roles();
    }

    interface Upstream {
        /** postgresql, mysql or mariadb. */
        @WithDefault("postgresql")
        String kind();

        String host();

        @WithDefault("5432")
        int port();

        /** Database used when the client names none. */
        @WithDefault("postgres")
        String database();

        String user();

        /** Password given inline. Prefer password-env or password-file. */
        Optional<String> password();

        /** Name of an environment variable holding the password. */
        Optional<String> passwordEnv();

        /** Path of a file (e.g. a mounted Kubernetes secret) holding the password. */
        Optional<String> passwordFile();

        UpstreamTls tls();

        Pool pool();
    }

    interface UpstreamTls {
        /** disable, prefer, require (no verification), verify-ca, verify-full (as libpq's sslmode). */
        @WithDefault("prefer")
        String mode();

        /** PEM file of the CA certificates to trust for verify-ca / verify-full. */
        Optional<String> caFile();
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
    }

    enum AuditDurability { FSYNC, WRITE }

    /** When a read's decision record must be durable (fsync'd): before the read runs, or before its answer. */
    enum ReadBarrier { RUN, REPLY }

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
         * reply: a statement the analysis finds read-only (kind READ) goes upstream as soon as its decision
         * record is written to the audit file (where a crash of Veil cannot take it back), and its answer is
         * held until the fsync; so nothing is shown to a client before its record is durable, and the fsync
         * overlaps the query. run: every statement waits for the fsync before it goes upstream. Statements
         * that may change anything always wait (run). Without a file sink, always run.
         */
        @WithDefault("reply")
        ReadBarrier readsDurableBefore();

        /** Replace literals in recorded statement text with {@code ?} (the fingerprint always uses the redacted form). */
        @WithDefault("true")
        boolean redactLiterals();

        /** Record bind parameters of prepared statements (text values; binary ones as their hex). */
        @WithDefault("false")
        boolean recordParameters();

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

    interface AuditPostgres {
        /** Also store records in a table of a control-plane PostgreSQL database. */
        @WithDefault("false")
        boolean enabled();

        @WithDefault("127.0.0.1")
        String host();

        @WithDefault("5432")
        int port();

        @WithDefault("veil")
        String database();

        @WithDefault("veil")
        String user();

        /** Password given inline. Prefer password-env or password-file. */
        Optional<String> password();

        /** Name of an environment variable holding the password. */
        Optional<String> passwordEnv();

        /** Path of a file holding the password. */
        Optional<String> passwordFile();

        /** Table (created if missing); optionally schema-qualified. */
        @WithDefault("veil_audit")
        String table();

        /** This instance's stream in the shared table; default: the host name. */
        Optional<String> stream();

        /** disable, prefer or require (no verification), as libpq's sslmode. */
        @WithDefault("prefer")
        String tlsMode();
    }

    interface AuditStdout {
        /** Also print every record as a JSON line on standard output. */
        @WithDefault("false")
        boolean enabled();
    }
}
