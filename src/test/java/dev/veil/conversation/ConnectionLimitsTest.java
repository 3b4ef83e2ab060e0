package dev.veil.conversation;

import dev.veil.frontend.WireEngine;
import dev.veil.protocol.mysql.ErrPacket;
import dev.veil.testing.RawPgClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sockets that connect and never log in (three bytes each, then nothing) take only the places set aside for
 * connections logging in, in all and per client address: beyond them new clients are refused at once with the
 * protocol's "too many connections" error naming the limit, while clients from other addresses and logged-in
 * sessions are not affected; every place is given back when its socket closes. Other client addresses are other
 * loopback addresses (127.0.0.2…), which the listener sees as such.
 */
class ConnectionLimitsTest {
    static Stream<Conversation> dialects() {
        return Stage.dialects();
    }

    @BeforeAll
    static void warmUp() throws Exception {
        Stage.warmUp();
    }

    /** The properties of the stage's listener (veil.pg.… or veil.mysql.…). */
    private static Map<String, String> listener(Conversation wire, String... keyValues) {
        String prefix = wire.protocol().equals("postgresql") ? "veil.pg." : "veil.mysql.";
        Map<String, String> p = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            p.put(prefix + keyValues[i], keyValues[i + 1]);
        }
        return p;
    }

    /** {@code n} sockets from {@code from} that send three bytes and stall; returns once the listener counts them. */
    private static List<Socket> stall(Stage stage, String from, int n) throws Exception {
        WireEngine engine = stage.veil.engine();
        int before = engine.authenticatingConnectionsFrom(from);
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Socket s = new Socket();
            s.bind(new InetSocketAddress(from, 0));
            s.connect(new InetSocketAddress("127.0.0.1", stage.veil.port()));
            s.getOutputStream().write(new byte[]{0, 0, 0});
            sockets.add(s);
        }
        Eventually.until(n + " stalled connections from " + from, () -> engine.authenticatingConnectionsFrom(from) == before + n);
        return sockets;
    }

    private static void closeAll(List<Socket> sockets) throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
    }

    /**
     * What a new client from {@code from} is told: the SQLSTATE or errno and the message. PostgreSQL sends it
     * after the StartupMessage, MySQL in place of its greeting; either way the connection then closes.
     */
    private static String refusal(Stage stage, String from) throws Exception {
        if (stage.wire.protocol().equals("postgresql")) {
            try (RawPgClient c = new RawPgClient(from, stage.veil.port())) {
                c.sendStartup(InProcessVeil.USER, InProcessVeil.DATABASE);
                RawPgClient.Message m = c.read();
                assertThat(m.type()).isEqualTo('E');
                assertThat(m.fields().get('S')).isEqualTo("FATAL");
                assertThat(c.closedByPeer()).isTrue();
                return m.fields().get('C') + " " + m.fields().get('M');
            }
        }
        try (RawMySqlClient c = new RawMySqlClient(from, stage.veil.port())) {
            ErrPacket err = RawMySqlClient.err(c.packet());
            assertThat(c.closedByPeer()).isTrue();
            return err.errorCode() + " " + err.message();
        }
    }

    private static String tooMany(Conversation wire) {
        return wire.protocol().equals("postgresql") ? "53300 sorry, too many clients already: " : "1040 Too many connections: ";
    }

    private static String properties(Conversation wire) {
        return wire.protocol().equals("postgresql") ? "veil.pg" : "veil.mysql";
    }

    @Tag("faults")
    @ParameterizedTest(name = "{0}")
    @MethodSource("dialects")
    void stalledSocketsFromOneAddressAreRefusedBeyondItsShareAndDoNotLockOutOtherClients(Conversation wire) throws Exception {
        try (Stage stage = Stage.open(wire, listener(wire, "max-authenticating-per-address", "3"))) {
            List<Socket> stalled = stall(stage, "127.0.0.2", 3);

            assertThat(refusal(stage, "127.0.0.2")).isEqualTo(tooMany(wire) + "3 connections from 127.0.0.2 are logging in"
                    + " already, the most Veil lets log in at once from one address; try again in a moment ("
                    + properties(wire) + ".max-authenticating-per-address)");
            WireClient client = stage.client();
            assertThat(client.query(Conversation.ALLOWED).rows()).containsExactly("first");

            closeAll(stalled);
            WireEngine engine = stage.veil.engine();
            Eventually.until("the stalled connections' places given back", () -> engine.authenticatingConnections() == 0
                    && engine.authenticatingConnectionsFrom("127.0.0.2") == 0 && engine.clientConnections() == 1);
            client.close();
            Eventually.until("no client connection left", () -> engine.clientConnections() == 0);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dialects")
    void theLimitOfConnectionsLoggingInHoldsOverAllAddressesAndFreesWithTheirSockets(Conversation wire) throws Exception {
        Map<String, String> limits = listener(wire, "max-authenticating-per-address", "3", "max-authenticating-connections", "4");
        try (Stage stage = Stage.open(wire, limits)) {
            List<Socket> stalled = new ArrayList<>(stall(stage, "127.0.0.2", 3));
            stalled.addAll(stall(stage, "127.0.0.3", 1));

            assertThat(refusal(stage, "127.0.0.4")).isEqualTo(tooMany(wire) + "4 " + (wire.protocol().equals("postgresql")
                    ? "PostgreSQL" : "MySQL") + " connections are logging in already, the most Veil lets log in at once; try"
                    + " again in a moment (" + properties(wire) + ".max-authenticating-connections)");
            stalled.remove(0).close();
            WireEngine engine = stage.veil.engine();
            Eventually.until("a place given back", () -> engine.authenticatingConnections() == 3);
            WireClient client = stage.client();
            assertThat(client.query(Conversation.ALLOWED).rows()).containsExactly("first");

            closeAll(stalled);
            Eventually.until("every place given back", () -> engine.authenticatingConnections() == 0 && engine.clientConnections() == 1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dialects")
    void loggedInSessionsNoLongerCountAsConnectionsLoggingIn(Conversation wire) throws Exception {
        try (Stage stage = Stage.open(wire, listener(wire, "max-authenticating-per-address", "1"))) {
            WireClient first = stage.client();
            WireClient second = stage.client();

            assertThat(first.query(Conversation.ALLOWED).rows()).containsExactly("first");
            assertThat(second.query(Conversation.ALLOWED).rows()).containsExactly("first");
            WireEngine engine = stage.veil.engine();
            assertThat(engine.authenticatingConnectionsFrom("127.0.0.1")).isZero();
            assertThat(engine.clientConnections()).isEqualTo(2);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dialects")
    void theTotalClientLimitStillCountsLoggedInSessions(Conversation wire) throws Exception {
        try (Stage stage = Stage.open(wire, listener(wire, "max-client-connections", "1"))) {
            WireClient client = stage.client();

            assertThat(refusal(stage, "127.0.0.2")).isEqualTo(tooMany(wire) + "Veil accepts at most 1 " + (wire.protocol()
                    .equals("postgresql") ? "PostgreSQL" : "MySQL") + " connections (" + properties(wire) + ".max-client-connections)");
            assertThat(client.query(Conversation.ALLOWED).rows()).containsExactly("first");
        }
    }

    @Tag("faults")
    @ParameterizedTest(name = "{0}")
    @MethodSource("dialects")
    void aSocketThatNeverSendsItsLoginRequestIsEndedAtTheStartupTimeout(Conversation wire) throws Exception {
        Map<String, String> limits = listener(wire, "max-authenticating-per-address", "1", "startup-timeout", "300ms");
        try (Stage stage = Stage.open(wire, limits)) {
            String ended;
            if (wire.protocol().equals("postgresql")) {
                try (RawPgClient c = new RawPgClient("127.0.0.2", stage.veil.port())) {
                    c.sendRaw(new byte[]{0, 0, 0});
                    RawPgClient.Message m = c.read();
                    ended = m.fields().get('C') + " " + m.fields().get('M');
                    assertThat(c.closedByPeer()).isTrue();
                }
            } else {
                try (RawMySqlClient c = new RawMySqlClient("127.0.0.2", stage.veil.port())) {
                    c.packet(); // the greeting
                    c.send(new byte[]{0, 0, 0});
                    ErrPacket err = RawMySqlClient.err(c.packet());
                    ended = err.errorCode() + " " + err.message();
                    assertThat(c.closedByPeer()).isTrue();
                }
            }

            assertThat(ended).isEqualTo((wire.protocol().equals("postgresql") ? "08P01 " : "1047 Bad handshake: ")
                    + "authentication timed out: the client sent no login request within 300ms (" + properties(wire) + ".startup-timeout)");
            WireEngine engine = stage.veil.engine();
            Eventually.until("the place given back", () -> engine.authenticatingConnectionsFrom("127.0.0.2") == 0);
            assertThat(stage.client().query(Conversation.ALLOWED).rows()).containsExactly("first");
        }
    }
}
