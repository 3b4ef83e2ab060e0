package dev.veil.conversation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.protocol.mysql.Capabilities;
import dev.veil.protocol.mysql.ErrPacket;
import dev.veil.protocol.mysql.OkPacket;
import dev.veil.protocol.mysql.Packets;
import dev.veil.protocol.mysql.PayloadReader;
import dev.veil.protocol.mysql.ServerStatus;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static dev.veil.conversation.ControlledAuditSink.type;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A KILL that begins a multi-statement text ("KILL QUERY n; SELECT SLEEP(0)", as connection pools send it) on
 * the real MySQL front end: Veil runs the KILL as it runs one sent alone, answers its OK saying more results
 * follow, and the rest of the text goes to the server as a query of its own, decided and recorded, its answer
 * numbered on from Veil's OK. A rest the rules refuse refuses the whole text, and the KILL does not run.
 */
class MySqlKillThenStatementsTest {
    private record Packet(int seq, Buffer payload) {
        int header() {
            return payload.length() == 0 ? -1 : payload.getUnsignedByte(0);
        }
    }

    @BeforeAll
    static void warmUp() throws Exception {
        Stage.warmUp();
    }

    @Test
    void theKillRunsAndTheRestFollowsItsOkInSequence() throws Exception {
        try (Stage stage = Stage.open(new MySqlConversation())) {
            stage.client();
            long victim = stage.veil.sessions().sessions().get(0).id();
            try (MySqlWireClient killer = multiStatementClient(stage)) {
                killer.write(Packets.frame(0, MySqlMessages.query("kill query " + victim + ";" + Conversation.ALLOWED)));
                List<Packet> answer = readMultiResult(killer);

                Packet ok = answer.get(0);
                assertThat(ok.header()).as("the KILL's OK").isZero();
                assertThat(OkPacket.decode(ok.payload(), 0, ok.payload().length()).statusFlags() & ServerStatus.MORE_RESULTS_EXISTS)
                        .as("more results follow").isNotZero();
                // The client reads one exchange: sequence ids count up by one from the command's 0.
                for (int i = 0; i < answer.size(); i++) {
                    assertThat(answer.get(i).seq()).as("packet %d of the answer", i).isEqualTo(i + 1);
                }
                assertThat(new PayloadReader(answer.get(4).payload()).lenencString()).as("the rest's row").isEqualTo("first");
            }
            // The victim's server thread got the KILL, on a control connection; the rest ran on the session's own.
            assertThat(stage.upstream.awaitReceived(m -> m.startsWith("COM_QUERY KILL QUERY "))).isPositive();
            assertThat(stage.upstream.executed()).contains(Conversation.ALLOWED);
            JsonNode decided = stage.audit().await(type("statement.decided"), 1).stream()
                    .filter(r -> r.toString().contains("items")).findFirst().orElseThrow();
            assertThat(decided.path("decision").path("verdict").asText()).isEqualTo("allow");
        }
    }

    @Test
    void aRestTheRulesRefuseRefusesTheWholeTextAndTheKillDoesNotRun() throws Exception {
        try (Stage stage = Stage.open(new MySqlConversation())) {
            stage.client();
            long victim = stage.veil.sessions().sessions().get(0).id();
            try (MySqlWireClient killer = multiStatementClient(stage)) {
                killer.write(Packets.frame(0, MySqlMessages.query("KILL QUERY " + victim + "; SELECT '"
                        + InProcessVeil.REFUSE_MARKER + "'")));
                Packet err = read(killer);
                assertThat(err.seq()).isEqualTo(1);
                assertThat(err.header()).isEqualTo(ErrPacket.HEADER);
                ErrPacket e = ErrPacket.decode(err.payload(), true);
                assertThat(e.errorCode()).isEqualTo(1142);
                assertThat(e.message()).contains(InProcessVeil.REFUSE_RULE);
                // The session goes on; by the time its next answer is back, a KILL would have been sent.
                assertThat(killer.query(Conversation.OTHER).rows()).containsExactly("third");
            }
            assertThat(stage.upstream.received()).noneMatch(r -> r.message().contains("KILL"));
        }
    }

    private static MySqlWireClient multiStatementClient(Stage stage) throws Exception {
        return MySqlWireClient.login(stage.veil.port(), InProcessVeil.USER, InProcessVeil.PASSWORD, InProcessVeil.DATABASE,
                Capabilities.MULTI_STATEMENTS | Capabilities.MULTI_RESULTS);
    }

    /** Every packet up to the end of the last result (a terminator without MORE_RESULTS_EXISTS), EOF mode. */
    private static List<Packet> readMultiResult(MySqlWireClient client) throws IOException {
        List<Packet> out = new ArrayList<>();
        boolean more = true;
        while (more) {
            Packet first = read(client);
            out.add(first);
            if (first.header() == 0x00 || first.header() == ErrPacket.HEADER) {
                more = first.header() == 0x00
                        && (OkPacket.decode(first.payload(), 0, first.payload().length()).statusFlags() & ServerStatus.MORE_RESULTS_EXISTS) != 0;
                continue;
            }
            long columns = new PayloadReader(first.payload()).lenenc();
            for (long i = 0; i < columns + 1; i++) {
                out.add(read(client)); // the definitions and the EOF after them
            }
            while (true) {
                Packet p = read(client);
                out.add(p);
                if (p.header() == 0xFE && p.payload().length() < 9) {
                    more = (p.payload().getUnsignedShortLE(3) & ServerStatus.MORE_RESULTS_EXISTS) != 0;
                    break;
                }
            }
        }
        return out;
    }

    private static Packet read(MySqlWireClient client) throws IOException {
        int length = client.in.readUnsignedByte() | client.in.readUnsignedByte() << 8 | client.in.readUnsignedByte() << 16;
        int seq = client.in.readUnsignedByte();
        byte[] payload = new byte[length];
        client.in.readFully(payload);
        return new Packet(seq, Buffer.buffer(payload));
    }
}
