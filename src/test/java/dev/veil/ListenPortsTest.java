package dev.veil;

import dev.veil.config.ConfigurationProblem;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A port another process holds is refused before anything starts, naming the property and the variable that move it. */
class ListenPortsTest {
    @Test
    void aTakenPortIsNamedWithItsPropertyAndVariable() throws Exception {
        try (ServerSocket other = new ServerSocket()) {
            other.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = other.getLocalPort();
            assertThatThrownBy(() -> new ListenPorts().add("veil.pg.port", "VEIL_PG_PORT", "127.0.0.1", port).requireFree())
                    .isInstanceOf(ConfigurationProblem.class)
                    .hasMessage("a port cannot be used:\n  veil.pg.port: 127.0.0.1:" + port + " is already in use by another "
                            + "process (another Veil, or a second demo?); stop what holds it, or move this port, e.g. VEIL_PG_PORT="
                            + ListenPorts.suggestion(port));
        }
    }

    @Test
    void everyTakenPortIsListedAtOnce() throws Exception {
        try (ServerSocket a = new ServerSocket(); ServerSocket b = new ServerSocket()) {
            a.bind(new InetSocketAddress("127.0.0.1", 0));
            b.bind(new InetSocketAddress("127.0.0.1", 0));
            assertThatThrownBy(() -> new ListenPorts()
                    .add("veil.pg.port", "VEIL_PG_PORT", "127.0.0.1", a.getLocalPort())
                    .add("veil.demo.postgres-port", "VEIL_DEMO_POSTGRES_PORT", "127.0.0.1", b.getLocalPort())
                    .requireFree())
                    .hasMessageStartingWith("2 ports cannot be used:")
                    .hasMessageContaining("VEIL_PG_PORT=").hasMessageContaining("VEIL_DEMO_POSTGRES_PORT=");
        }
    }

    @Test
    void freePortsAndPortZeroPass() throws Exception {
        int free;
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            free = s.getLocalPort();
        }
        int port = free;
        assertThatCode(() -> new ListenPorts().add("veil.pg.port", "VEIL_PG_PORT", "127.0.0.1", port)
                .add("veil.mysql.port", "VEIL_MYSQL_PORT", "127.0.0.1", 0).requireFree()).doesNotThrowAnyException();
    }

    @Test
    void theSuggestionIsAPort() {
        assertThat(ListenPorts.suggestion(15432)).isEqualTo(25432);
        assertThat(ListenPorts.suggestion(60000)).isEqualTo(50000);
    }

    @Test
    void theHttpPortIsCheckedAsQuarkusResolvesItAndNamedWithVeilHttpPort() throws Exception {
        try (ServerSocket other = new ServerSocket()) {
            other.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = other.getLocalPort();
            assertThatThrownBy(() -> ListenPorts.http(Map.of("VEIL_HTTP_PORT", Integer.toString(port)), new Properties()).requireFree())
                    .hasMessageContaining("quarkus.http.port: 127.0.0.1:" + port + " is already in use")
                    .hasMessageContaining("VEIL_HTTP_PORT=" + ListenPorts.suggestion(port));

            Properties system = new Properties();
            system.setProperty("quarkus.http.port", "0");
            assertThatCode(() -> ListenPorts.http(Map.of("VEIL_HTTP_PORT", Integer.toString(port)), system).requireFree())
                    .as("the system property wins over the variable, as in Quarkus").doesNotThrowAnyException();
            assertThatCode(() -> ListenPorts.http(Map.of("VEIL_HTTP_PORT", "eighty"), new Properties()).requireFree())
                    .as("a value that is not a number is Quarkus's to report").doesNotThrowAnyException();
        }
    }
}
