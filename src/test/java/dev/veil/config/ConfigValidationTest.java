package dev.veil.config;

import dev.veil.testing.TestConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Start-up validation: every problem is reported at once, each as "property: what is wrong". */
class ConfigValidationTest {
    @TempDir
    Path dir;

    private static List<String> problems(Map<String, String> properties) {
        return ConfigValidation.problems(TestConfig.veil(properties), Map.of());
    }

    /** A valid upstream "main" (PostgreSQL, no password: its server trusts Veil's address) to build on. */
    private static Map<String, String> withUpstream(Map<String, String> more) {
        Map<String, String> p = new HashMap<>(Map.of("veil.upstreams.main.host", "db.internal", "veil.upstreams.main.user", "veil",
                "veil.upstreams.main.allow-empty-password", "true"));
        p.putAll(more);
        return p;
    }

    @Test
    void theEmptyConfigurationOfTheDemoHasNoProblem() {
        assertThat(problems(Map.of())).isEmpty();
    }

    @Test
    void aValidUpstreamConfigurationHasNoProblem() throws Exception {
        Path password = Files.writeString(dir.resolve("password"), "s3cret\n");
        assertThat(problems(withUpstream(Map.of("veil.upstreams.main.password-file", password.toString(),
                "veil.pg.default-upstream", "main", "veil.audit.postgres.enabled", "true",
                "veil.audit.postgres.password", "audit-secret")))).isEmpty();
    }

    @Test
    void roleUserMistakesNameTheirProperty() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty-role-password"), "\n");
        Map<String, String> p = new HashMap<>(Map.of("veil.upstreams.main.host", "db.internal", "veil.upstreams.main.user", "veil",
                "veil.upstreams.main.password", "s3cret",
                "veil.upstreams.main.role-users.analyst.user", "reader",
                "veil.upstreams.main.role-users.analyst.password-file", empty.toString(),
                "veil.upstreams.main.role-users.engineer.user", "writer",
                "veil.upstreams.main.role-users.engineer.password", "inline",
                "veil.upstreams.main.role-users.engineer.password-env", "VEIL_TEST_WRITER_PASSWORD",
                "veil.upstreams.main.role-users.admin.user", " ",
                "veil.upstreams.main.role-users.admin.password-env", "VEIL_TEST_UNSET_VARIABLE_FOR_ADMIN"));
        assertThat(problems(p)).containsExactlyInAnyOrder(
                "veil.upstreams.main.role-users.analyst.password-file: " + empty + " is empty, and db.internal is not on"
                        + " loopback: Veil would log in as \"reader\" without a password, which only a server with trust"
                        + " authentication accepts. Configure the password, or set veil.upstreams.main.allow-empty-password=true"
                        + " if the server is meant to trust Veil's address",
                "veil.upstreams.main.role-users.engineer: set one password source, not password and password-env",
                "veil.upstreams.main.role-users.admin.user: must not be blank",
                "veil.upstreams.main.role-users.admin.password-env: environment variable VEIL_TEST_UNSET_VARIABLE_FOR_ADMIN is not set");
        assertThat(problems(withUpstream(Map.of("veil.upstreams.main.role-users.analyst.user", "shared",
                "veil.upstreams.main.role-users.analyst.read-only", "true", "veil.upstreams.main.role-users.engineer.user", "shared",
                "veil.upstreams.main.role-users.admin.user", "veil", "veil.upstreams.main.role-users.admin.read-only", "true"))))
                .containsExactlyInAnyOrder("veil.upstreams.main.role-users.analyst.read-only: user \"shared\" is also role engineer,"
                        + " which is not read-only; give the read-only role a database user of its own",
                        "veil.upstreams.main.role-users.admin.read-only: user \"veil\" is also the upstream's own user, which is"
                        + " not read-only; give the read-only role a database user of its own");
        assertThat(problems(withUpstream(Map.of("veil.upstreams.main.require-role-user", "true"))))
                .containsExactly("veil.upstreams.main.require-role-user: true, but no role-users are configured: every session"
                        + " would be refused; configure veil.upstreams.main.role-users.<role>.user or set it to false");
    }

    @Test
    void upstreamMessagesNameTheirProperty() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty"), "\n");
        Map<String, String> p = withUpstream(Map.of(
                "veil.upstreams.main.port", "70000",
                "veil.upstreams.main.kind", "oracle",
                "veil.upstreams.main.pool.min-size", "5",
                "veil.upstreams.main.pool.max-size", "2",
                "veil.upstreams.main.tls.ca-file", dir.resolve("missing-ca.pem").toString(),
                "veil.upstreams.other.host", "other.internal",
                "veil.upstreams.other.user", "veil",
                "veil.upstreams.other.password", "inline",
                "veil.upstreams.other.password-file", empty.toString()));
        p.put("veil.upstreams.third.host", "third.internal");
        p.put("veil.upstreams.third.user", "veil");
        p.put("veil.upstreams.third.password-env", "VEIL_TEST_VARIABLE_THAT_IS_NOT_SET");
        p.put("veil.upstreams.fourth.host", "fourth.internal");
        p.put("veil.upstreams.fourth.user", "veil");
        p.put("veil.upstreams.fourth.password-file", empty.toString());
        assertThat(problems(p)).containsExactlyInAnyOrder(
                "veil.upstreams.main.port: must be 1-65535, not 70000",
                "veil.upstreams.main.kind: must be postgresql, mysql or mariadb, not \"oracle\"",
                "veil.upstreams.main.pool.min-size: must be between 0 and max-size (2)",
                "veil.upstreams.main.tls.ca-file: " + dir.resolve("missing-ca.pem") + " does not exist or is not a file",
                "veil.upstreams.other: set one password source, not password and password-file",
                "veil.upstreams.third.password-env: environment variable VEIL_TEST_VARIABLE_THAT_IS_NOT_SET is not set",
                "veil.upstreams.fourth.password-file: " + empty + " is empty, and fourth.internal is not on loopback: Veil would"
                        + " log in as \"veil\" without a password, which only a server with trust authentication accepts."
                        + " Configure the password, or set veil.upstreams.fourth.allow-empty-password=true if the server is meant"
                        + " to trust Veil's address");
    }

    @Test
    void aServerOffLoopbackWithoutAPasswordMustBeAllowedExplicitly() {
        Map<String, String> p = new HashMap<>(Map.of("veil.upstreams.dev.host", "db.internal", "veil.upstreams.dev.user", "veil",
                "veil.upstreams.dev.password", "",
                "veil.audit.postgres.enabled", "true", "veil.audit.postgres.host", "audit.internal"));
        assertThat(problems(p)).containsExactlyInAnyOrder(
                "veil.upstreams.dev.password: not set (nor password-env, password-file), and db.internal is not on loopback: Veil"
                        + " would log in as \"veil\" without a password, which only a server with trust authentication accepts."
                        + " Configure the password, or set veil.upstreams.dev.allow-empty-password=true if the server is meant"
                        + " to trust Veil's address",
                "veil.audit.postgres.password: not set (nor password-env, password-file), and audit.internal is not on loopback:"
                        + " Veil would log in as \"veil\" without a password, which only a server with trust authentication"
                        + " accepts. Configure the password, or set veil.audit.postgres.allow-empty-password=true if the server is"
                        + " meant to trust Veil's address");
        p.put("veil.upstreams.dev.allow-empty-password", "true");
        p.put("veil.audit.postgres.allow-empty-password", "true");
        assertThat(problems(p)).isEmpty();
    }

    @Test
    void onLoopbackAndInDemoModeNoPasswordIsNeeded() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty"), "\n");
        Map<String, String> p = new HashMap<>(Map.of(
                "veil.upstreams.inline.host", "127.0.0.1", "veil.upstreams.inline.user", "postgres",
                "veil.upstreams.inline.password", "",
                "veil.upstreams.file.host", "localhost", "veil.upstreams.file.user", "postgres",
                "veil.upstreams.file.password-file", empty.toString(),
                "veil.upstreams.v6.host", "::1", "veil.upstreams.v6.user", "postgres"));
        assertThat(problems(p)).isEmpty();
        // A name that only resolves to loopback is not taken on trust: nothing is looked up.
        assertThat(problems(Map.of("veil.upstreams.dev.host", "127.example.com", "veil.upstreams.dev.user", "veil")))
                .singleElement().asString().startsWith("veil.upstreams.dev.password: not set");
        assertThat(problems(Map.of("veil.demo.mode", "on", "veil.upstreams.dev.host", "db.internal", "veil.upstreams.dev.user", "veil")))
                .isEmpty();
    }

    @Test
    void anAccountWithoutAPasswordIsAllowedWhileEveryListenerBindsLoopback() {
        Map<String, String> p = new HashMap<>(withUpstream(Map.of("veil.local-accounts.dev.password", "",
                "veil.local-accounts.dev.roles", "engineer", "veil.local-accounts.ops.password", "ops-secret")));
        assertThat(problems(p)).isEmpty();
        assertThat(ConfigValidation.accountsWithoutPassword(TestConfig.veil(p))).containsExactly("dev");
        p.put("veil.pg.host", "localhost");
        p.put("veil.mysql.host", "::1");
        assertThat(problems(p)).isEmpty();
    }

    @Test
    void anAccountWithoutAPasswordOnANonLoopbackListenerStopsStartUp() {
        Map<String, String> p = new HashMap<>(withUpstream(Map.of("veil.local-accounts.dev.password", "",
                "veil.local-accounts.dev.roles", "engineer", "veil.mysql.host", "0.0.0.0")));
        assertThat(problems(p)).containsExactly("veil.local-accounts.dev.password: empty, but the listeners are not on loopback"
                + " (veil.mysql.host=0.0.0.0): an account without a password on a non-loopback listener lets anyone in."
                + " Set a password, or bind the listeners to 127.0.0.1");
        // A listener that is off accepts nobody.
        p.put("veil.mysql.enabled", "false");
        assertThat(problems(p)).isEmpty();
        p.put("veil.pg.host", "10.0.0.5");
        assertThat(problems(p)).singleElement().asString().startsWith("veil.local-accounts.dev.password: empty")
                .contains("(veil.pg.host=10.0.0.5)");
        // The demo is for one machine: its listeners may be bound wider on purpose (a container), and it says so.
        p.put("veil.demo.mode", "on");
        assertThat(problems(p)).isEmpty();
    }

    @Test
    void listenerMessagesNameTheirProperty() throws Exception {
        Path cert = Files.writeString(dir.resolve("tls.crt"), "not checked here");
        Map<String, String> p = withUpstream(Map.of(
                "veil.pg.default-upstream", "mian",
                "veil.pg.tls.cert-file", cert.toString(),
                "veil.pg.password-method", "md5",
                "veil.pg.max-client-connections", "0",
                "veil.mysql.default-upstream", "main",
                "veil.mysql.auth-plugin", "sha256_password",
                "veil.mysql.tls.key-file", dir.resolve("missing.key").toString(),
                "veil.mysql.authentication-timeout", "0s"));
        assertThat(problems(p)).containsExactlyInAnyOrder(
                "veil.pg.default-upstream: no upstream named \"mian\" is configured (veil.upstreams: main)",
                "veil.pg.tls.key-file: required with cert-file (set neither for a self-signed certificate)",
                "veil.pg.password-method: must be scram-sha-256 or password, not \"md5\"",
                "veil.pg.max-client-connections: must be at least 1, not 0",
                "veil.mysql.default-upstream: upstream \"main\" is of kind postgresql; the MySQL listener needs one of kind mysql or mariadb",
                "veil.mysql.auth-plugin: must be caching_sha2_password, mysql_native_password or mysql_clear_password, not \"sha256_password\"",
                "veil.mysql.tls.cert-file: required with key-file (set neither for a self-signed certificate)",
                "veil.mysql.tls.key-file: " + dir.resolve("missing.key") + " does not exist or is not a file",
                "veil.mysql.authentication-timeout: must be longer than 0, not PT0S");
    }

    @Test
    void connectionLimitsMustBePositive() {
        Map<String, String> p = withUpstream(Map.of(
                "veil.pg.max-authenticating-connections", "0",
                "veil.pg.max-authenticating-per-address", "-1",
                "veil.mysql.startup-timeout", "0s",
                "veil.identity.session.max-per-identity", "0"));
        assertThat(problems(p)).containsExactlyInAnyOrder(
                "veil.pg.max-authenticating-connections: must be at least 1, not 0",
                "veil.pg.max-authenticating-per-address: must be at least 1, not -1",
                "veil.mysql.startup-timeout: must be longer than 0, not PT0S",
                "veil.identity.session.max-per-identity: must be at least 1, not 0");
    }

    @Test
    void aDisabledListenerIsNotChecked() {
        assertThat(problems(withUpstream(Map.of("veil.mysql.enabled", "false", "veil.mysql.auth-plugin", "sha256_password",
                "veil.mysql.default-upstream", "nowhere")))).isEmpty();
    }

    @Test
    void transactionPoolingIsForPostgresqlUpstreamsOnly() {
        assertThat(problems(withUpstream(Map.of("veil.upstreams.main.pool.mode", "transaction")))).isEmpty();
        assertThat(problems(withUpstream(Map.of("veil.upstreams.main.pool.mode", "transaction", "veil.upstreams.main.kind", "mariadb",
                "veil.mysql.enabled", "false", "veil.pg.enabled", "false"))))
                .containsExactly("veil.upstreams.main.pool.mode: transaction pooling is for PostgreSQL upstreams only; use session for kind mariadb");
    }

    @Test
    void inDemoModeTheDefaultUpstreamMayNameADemoUpstream() {
        assertThat(problems(Map.of("veil.pg.default-upstream", "demo"))).isEmpty();
        assertThat(problems(withUpstream(Map.of("veil.pg.default-upstream", "demo"))))
                .containsExactly("veil.pg.default-upstream: no upstream named \"demo\" is configured (veil.upstreams: main)");
    }

    @Test
    void auditAndIdentityMessagesNameTheirProperty() {
        assertThat(problems(Map.of(
                "veil.audit.file.enabled", "false",
                "veil.audit.postgres.enabled", "true",
                "veil.audit.postgres.port", "0",
                "veil.audit.postgres.tls.mode", "verify-full",
                "veil.identity.oidc.corp.audience", "veil-gateway",
                "veil.identity.oidc.corp.web-client-secret", "s3cret",
                "veil.identity.oidc.issuer", "https://id.example.com",
                "veil.identity.oidc.algorithms", "RS256,hs256"))).containsExactlyInAnyOrder(
                "veil.audit.postgres.port: must be 1-65535, not 0",
                "veil.audit.postgres.tls.ca-file: required with tls.mode verify-full",
                "veil.identity.oidc.corp.issuer: required (the provider's issuer URL)",
                "veil.identity.oidc.corp.web-client-secret: only the default provider (veil.identity.oidc.issuer) serves the /login page",
                "veil.identity.oidc.algorithms: hs256 is never accepted (symmetric or unsigned tokens could be forged)");
        assertThat(problems(Map.of("veil.audit.file.enabled", "false"))).containsExactly(
                "veil.audit.enabled: true, but no sink is: enable veil.audit.file, veil.audit.postgres or veil.audit.stdout"
                        + " (or turn the audit trail off)");
    }

    @Test
    void theLoginThrottleCanNeverWaitAsLongAsAClientHasToLogIn() {
        assertThat(problems(Map.of("veil.identity.login-throttle.max-delay", "30s"))).containsExactly(
                "veil.identity.login-throttle.max-delay: must be shorter than veil.pg.authentication-timeout (PT30S), or a client"
                        + " waiting it out could never log in; not PT30S",
                "veil.identity.login-throttle.max-delay: must be shorter than veil.mysql.authentication-timeout (PT30S), or a client"
                        + " waiting it out could never log in; not PT30S");
        assertThat(problems(Map.of("veil.identity.login-throttle.max-delay", "30s", "veil.pg.authentication-timeout", "1m",
                "veil.mysql.enabled", "false"))).isEmpty();
        assertThat(problems(Map.of("veil.identity.login-throttle.free-failures", "0",
                "veil.identity.login-throttle.user-max-delay", "20s"))).containsExactly(
                "veil.identity.login-throttle.free-failures: must be at least 1, not 0",
                "veil.identity.login-throttle.user-max-delay: must be between 0 and max-delay (PT15S), not PT20S");
        assertThat(problems(Map.of("veil.identity.login-throttle.enabled", "false",
                "veil.identity.login-throttle.max-delay", "1h"))).isEmpty();
    }

    @Test
    void environmentVariablesOfRenamedPropertiesAreReportedWithTheNewName() {
        VeilConfig config = TestConfig.veil(Map.of());
        assertThat(ConfigValidation.problems(config, Map.of("VEIL_MYSQL_MAX_PACKET_BYTES", "1000", "VEIL_AUDIT_POSTGRES_TLS_MODE", "disable")))
                .containsExactly(
                        "VEIL_AUDIT_POSTGRES_TLS_MODE (veil.audit.postgres.tls-mode): renamed VEIL_AUDIT_POSTGRES_TLS_MODE (veil.audit.postgres.tls.mode)",
                        "VEIL_MYSQL_MAX_PACKET_BYTES (veil.mysql.max-packet-bytes): renamed VEIL_MYSQL_MAX_MESSAGE_BYTES (veil.mysql.max-message-bytes)");
        // veil login still reads VEIL_OIDC_ISSUER, so a shell exporting it must not stop the gateway.
        assertThat(ConfigValidation.problems(config, Map.of("VEIL_OIDC_ISSUER", "https://id.example.com"))).isEmpty();
    }

    @Test
    void checkRefusesWithEveryProblemListed() {
        VeilConfig config = TestConfig.veil(withUpstream(Map.of("veil.upstreams.main.port", "0", "veil.pg.default-upstream", "x")));
        assertThatThrownBy(() -> ConfigValidation.check(config)).isInstanceOf(IllegalStateException.class)
                .hasMessage("the configuration has 2 problems:\n"
                        + "  veil.pg.default-upstream: no upstream named \"x\" is configured (veil.upstreams: main)\n"
                        + "  veil.upstreams.main.port: must be 1-65535, not 0");
    }
}
