package dev.veil.frontend.pg;

import dev.veil.testing.RawPgClient;
import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/** The client knows its server backend by its real process id; when the server ends the session, the client hears the server and nothing more from Veil. */
@Tag("servers")
@QuarkusTest
@QuarkusTestResource(VeilTestResource.class)
class PgServerEndsSessionTest {

    private static int backendPid(RawPgClient client) throws Exception {
        client.send('Q', "SELECT pg_backend_pid()\0".getBytes(StandardCharsets.UTF_8));
        Integer pid = null;
        while (true) {
            RawPgClient.Message m = client.read();
            if (m.type() == 'D') {
                // DataRow: Int16 column count, Int32 length, then the value as text.
                int len = ((m.body()[2] & 0xFF) << 24) | ((m.body()[3] & 0xFF) << 16) | ((m.body()[4] & 0xFF) << 8) | (m.body()[5] & 0xFF);
                pid = Integer.parseInt(new String(m.body(), 6, len, StandardCharsets.US_ASCII));
            } else if (m.type() == 'Z') {
                return pid;
            }
        }
    }

    @Test
    void theBackendKeyDataCarriesTheServersOwnProcessId() throws Exception {
        try (RawPgClient client = new RawPgClient(VeilTestResource.veilPort())) {
            client.login(VeilTestResource.USER, VeilTestResource.PASSWORD, "shop");
            assertThat(client.backendProcessId()).isEqualTo(backendPid(client));
        }
    }

    @Test
    void aBackendTerminatedByTheServerGivesTheClientOnlyTheServersFatal() throws Exception {
        try (RawPgClient client = new RawPgClient(VeilTestResource.veilPort())) {
            client.login(VeilTestResource.USER, VeilTestResource.PASSWORD, "shop");
            int pid = backendPid(client);
            try (Connection admin = VeilTestResource.server().connectAsSuperuser("shop"); Statement st = admin.createStatement();
                 ResultSet rs = st.executeQuery("SELECT pg_terminate_backend(" + pid + ")")) {
                rs.next();
                assertThat(rs.getBoolean(1)).isTrue();
            }
            RawPgClient.Message fatal = client.read();
            assertThat(fatal.type()).isEqualTo('E');
            assertThat(fatal.fields().get('S')).isEqualTo("FATAL");
            assertThat(fatal.fields().get('C')).isEqualTo("57P01");
            // Nothing after it (no 08006 of Veil's own): the next read sees the connection closed.
            assertThat(client.closedByPeer()).isTrue();
        }
    }
}
