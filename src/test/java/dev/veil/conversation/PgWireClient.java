package dev.veil.conversation;

import com.ongres.scram.client.ScramClient;
import com.ongres.scram.common.StringPreparation;
import dev.veil.protocol.pg.FrontendMessage;
import dev.veil.protocol.pg.StartupMessage;
import io.vertx.core.buffer.Buffer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A PostgreSQL client frame by frame: startup and SCRAM-SHA-256 as a local account, simple queries, and the
 * extended protocol with the unnamed statement and portal.
 */
final class PgWireClient extends WireClient {
    private PgWireClient(int port) throws IOException {
        super(port);
    }

    /** Connects and logs in; returns once Veil sent ReadyForQuery. */
    static PgWireClient login(int port, String user, String password, String database) throws Exception {
        PgWireClient c = new PgWireClient(port);
        c.write(new StartupMessage(StartupMessage.PROTOCOL_3_0, Map.of("user", user, "database", database)).encode());
        Frame request = c.frame();
        if (request.type != 'R' || request.body.getInt(0) != 10) {
            throw new IllegalStateException("expected AuthenticationSASL, got " + request.type);
        }
        ScramClient scram = ScramClient.builder().advertisedMechanisms(List.of("SCRAM-SHA-256")).username(user)
                .password(password.toCharArray()).stringPreparation(StringPreparation.POSTGRESQL_PREPARATION).build();
        c.write(new FrontendMessage.SASLInitialResponse("SCRAM-SHA-256",
                scram.clientFirstMessage().toString().getBytes(StandardCharsets.UTF_8)).encode());
        Frame cont = c.frame();
        scram.serverFirstMessage(cont.body.getString(4, cont.body.length(), "UTF-8"));
        c.write(new FrontendMessage.SASLResponse(scram.clientFinalMessage().toString().getBytes(StandardCharsets.UTF_8)).encode());
        while (true) {
            Frame f = c.frame();
            if (f.type == 'E') {
                throw new IllegalStateException("login failed: " + fields(f.body));
            }
            if (f.type == 'Z') {
                return c;
            }
        }
    }

    @Override
    void sendQueries(List<String> sql) throws IOException {
        Buffer all = Buffer.buffer();
        sql.forEach(s -> all.appendBuffer(new FrontendMessage.Query(s).encode()));
        write(all);
    }

    @Override
    Reply readAnswer() throws IOException {
        return readThroughReady(new Reply.Builder());
    }

    @Override
    void sendBatch(List<String> sql) throws IOException {
        Buffer all = Buffer.buffer();
        for (String s : sql) {
            all.appendBuffer(PgMessages.parse("", s)).appendBuffer(PgMessages.bind("", "")).appendBuffer(PgMessages.execute(""));
        }
        write(all.appendBuffer(PgMessages.sync()));
    }

    /** The whole batch is answered up to the one ReadyForQuery of its Sync. */
    @Override
    Reply readBatchAnswer(int statements) throws IOException {
        return readThroughReady(new Reply.Builder());
    }

    @Override
    Reply readRows(int rows) throws IOException {
        Reply.Builder reply = new Reply.Builder();
        while (reply.build().rows().size() < rows) {
            add(reply, frame());
        }
        return reply.build();
    }

    @Override
    Reply readUntilClosed() throws IOException {
        Reply.Builder reply = new Reply.Builder();
        while (true) {
            Frame f;
            try {
                f = frame();
            } catch (IOException e) {
                if (endOfStream(e)) {
                    return reply.build();
                }
                throw e;
            }
            add(reply, f);
        }
    }

    private Reply readThroughReady(Reply.Builder reply) throws IOException {
        while (true) {
            Frame f = frame();
            add(reply, f);
            if (f.type == 'Z') {
                return reply.build();
            }
        }
    }

    private static void add(Reply.Builder reply, Frame f) {
        Buffer b = f.body;
        switch (f.type) {
            case '1' -> reply.frame("ParseComplete");
            case '2' -> reply.frame("BindComplete");
            case 'T' -> reply.frame("RowDescription");
            case 'D' -> reply.row("DataRow", b.getInt(2) < 0 ? null : b.getString(6, 6 + b.getInt(2), "UTF-8"));
            case 'C' -> reply.frame("CommandComplete " + b.getString(0, b.length() - 1, "UTF-8"));
            case 'Z' -> reply.frame("ReadyForQuery " + (char) b.getByte(0));
            case 'I' -> reply.frame("EmptyQueryResponse");
            case 'n' -> reply.frame("NoData");
            case 'E' -> {
                Map<Character, String> fields = fields(b);
                reply.error("ErrorResponse " + fields.get('S') + " " + fields.get('C'), fields.get('C'), fields.get('M'));
            }
            default -> reply.frame(String.valueOf(f.type));
        }
    }

    private static Map<Character, String> fields(Buffer body) {
        Map<Character, String> f = new LinkedHashMap<>();
        int pos = 0;
        while (pos < body.length() && body.getByte(pos) != 0) {
            int end = pos + 1;
            while (body.getByte(end) != 0) {
                end++;
            }
            f.put((char) body.getByte(pos), body.getString(pos + 1, end, "UTF-8"));
            pos = end + 1;
        }
        return f;
    }

    private record Frame(char type, Buffer body) {
    }

    private Frame frame() throws IOException {
        char type = (char) in.readUnsignedByte();
        int len = in.readInt();
        byte[] body = new byte[len - 4];
        in.readFully(body);
        return new Frame(type, Buffer.buffer(body));
    }
}
