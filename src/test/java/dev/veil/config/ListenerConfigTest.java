package dev.veil.config;

import dev.veil.testing.TestConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Both listeners read the same ideas under the same property names; only the port defaults differ. */
class ListenerConfigTest {
    @Test
    void bothListenersReadTheSharedPropertiesUnderTheSameNames() {
        Map<String, String> p = new HashMap<>();
        for (String listener : List.of("veil.pg", "veil.mysql")) {
            p.put(listener + ".enabled", "false");
            p.put(listener + ".host", "0.0.0.0");
            p.put(listener + ".port", "7000");
            p.put(listener + ".default-upstream", "prod");
            p.put(listener + ".max-client-connections", "7");
            p.put(listener + ".max-authenticating-connections", "6");
            p.put(listener + ".max-authenticating-per-address", "5");
            p.put(listener + ".startup-timeout", "4s");
            p.put(listener + ".authentication-timeout", "7s");
            p.put(listener + ".max-message-bytes", "7000");
            p.put(listener + ".tls.mode", "required");
            p.put(listener + ".tls.cert-file", "/tls.crt");
            p.put(listener + ".tls.key-file", "/tls.key");
        }
        VeilConfig config = TestConfig.veil(p);
        for (Listener l : List.of(config.pg(), config.mysql())) {
            assertThat(l.enabled()).isFalse();
            assertThat(l.host()).isEqualTo("0.0.0.0");
            assertThat(l.port()).isEqualTo(7000);
            assertThat(l.defaultUpstream()).contains("prod");
            assertThat(l.maxClientConnections()).isEqualTo(7);
            assertThat(l.maxAuthenticatingConnections()).isEqualTo(6);
            assertThat(l.maxAuthenticatingPerAddress()).isEqualTo(5);
            assertThat(l.startupTimeout()).isEqualTo(Duration.ofSeconds(4));
            assertThat(l.authenticationTimeout()).isEqualTo(Duration.ofSeconds(7));
            assertThat(l.maxMessageBytes()).isEqualTo(7000);
            assertThat(l.tls().mode()).isEqualTo(ListenerTlsMode.REQUIRED);
            assertThat(l.tls().certFile()).contains("/tls.crt");
            assertThat(l.tls().keyFile()).contains("/tls.key");
        }
    }

    @Test
    void eachListenerKeepsItsOwnPort() {
        VeilConfig config = TestConfig.veil(Map.of());
        assertThat(config.pg().port()).isEqualTo(15432);
        assertThat(config.mysql().port()).isEqualTo(13306);
        assertThat(config.mysql().maxMessageBytes()).isEqualTo(config.pg().maxMessageBytes()).isEqualTo(16 * 1024 * 1024);
        assertThat(config.pg().maxAuthenticatingConnections()).isEqualTo(config.mysql().maxAuthenticatingConnections()).isEqualTo(200);
        assertThat(config.pg().maxAuthenticatingPerAddress()).isEqualTo(config.mysql().maxAuthenticatingPerAddress()).isEqualTo(20);
        assertThat(config.identity().session().maxPerIdentity()).isEqualTo(100);
    }

    @Test
    void upstreamsAndTheAuditDatabaseAreEndpointsWithTheSameTlsModes() {
        VeilConfig config = TestConfig.veil(Map.of("veil.upstreams.main.host", "db", "veil.upstreams.main.user", "veil",
                "veil.upstreams.main.tls.mode", "verify-full", "veil.audit.postgres.tls.mode", "verify-ca",
                "veil.audit.postgres.tls.ca-file", "/ca.pem"));
        Endpoint upstream = config.upstreams().get("main");
        Endpoint audit = config.audit().postgres();
        assertThat(upstream.tls().mode()).isEqualTo(EndpointTlsMode.VERIFY_FULL);
        assertThat(audit.tls().mode()).isEqualTo(EndpointTlsMode.VERIFY_CA);
        assertThat(audit.tls().caFile()).contains("/ca.pem");
        // Each keeps its own defaults.
        assertThat(upstream.database()).isEqualTo("postgres");
        assertThat(audit.host()).isEqualTo("127.0.0.1");
        assertThat(audit.database()).isEqualTo("veil");
        assertThat(audit.user()).isEqualTo("veil");
        assertThat(audit.port()).isEqualTo(upstream.port()).isEqualTo(5432);
    }
}
