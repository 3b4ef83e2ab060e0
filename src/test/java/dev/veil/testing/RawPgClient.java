package dev.veil.testing;

import com.ongres.scram.client.ScramClient;
import com.ongres.scram.common.StringPreparation;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A deliberately small PostgreSQL client speaking raw frames, for what real drivers never send:
 * malformed lengths, unknown message types, oversized frames.
 */
public final class RawPgClient implements AutoCloseable {
    public record Message(char type, byte[] body) {
        /** The fields of an ErrorResponse / NoticeResponse. */
        public Map<Character, String> fields() {
            Map<Character, String> f = new LinkedHashMap<>();
            int pos = 0;
            while (pos < body.length && body[pos] != 0) {
                char tag = (char) body[pos];
                int end = pos + 1;
                while (body[end] != 0) {
                    end++;
                }
                f.put(tag, new String(body, pos + 1, end - pos - 1, StandardCharsets.UTF_8));
                pos = end + 1;
            }
            return f;
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    private int backendProcessId;

    public RawPgClient(int port) throws IOException {
        this(null, port);
    }

    /** Connects from {@code localAddress} (a loopback address such as 127.0.0.9, to be another client address). */
    public RawPgClient(String localAddress, int port) throws IOException {
        socket = new Socket();
        if (localAddress != null) {
            socket.bind(new InetSocketAddress(localAddress, 0));
        }
        socket.connect(new InetSocketAddress("127.0.0.1", port));
        socket.setSoTimeout(15_000);
        in = new DataInputStream(socket.getInputStream());
        out = new DataOutputStream(socket.getOutputStream());
    }

    public void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    public void sendStartup(String user, String database) throws IOException {
        byte[] params = ("user\0" + user + "\0database\0" + database + "\0\0").getBytes(StandardCharsets.UTF_8);
        out.writeInt(8 + params.length);
        out.writeInt(196608);
        out.write(params);
        out.flush();
    }

    public void send(char type, byte[] body) throws IOException {
        out.writeByte(type);
        out.writeInt(4 + body.length);
        out.write(body);
        out.flush();
    }

    public Message read() throws IOException {
        char type = (char) in.readUnsignedByte();
        int len = in.readInt();
        byte[] body = new byte[len - 4];
        in.readFully(body);
        return new Message(type, body);
    }

    public int readByte() throws IOException {
        return in.read();
    }

    /** Startup and SCRAM-SHA-256 up to the first ReadyForQuery. */
    public void login(String user, String password, String database) throws Exception {
        sendStartup(user, database);
        Message m = read();
        if (m.type() != 'R') {
            throw new IllegalStateException("expected an authentication request, got " + m.type() + " " + m.fields());
        }
        ScramClient scram = ScramClient.builder().advertisedMechanisms(List.of("SCRAM-SHA-256")).username(user)
                .password(password.toCharArray()).stringPreparation(StringPreparation.POSTGRESQL_PREPARATION).build();
        byte[] first = scram.clientFirstMessage().toString().getBytes(StandardCharsets.UTF_8);
        byte[] mech = "SCRAM-SHA-256\0".getBytes(StandardCharsets.US_ASCII);
        byte[] body = new byte[mech.length + 4 + first.length];
        System.arraycopy(mech, 0, body, 0, mech.length);
        body[mech.length] = (byte) (first.length >>> 24);
        body[mech.length + 1] = (byte) (first.length >>> 16);
        body[mech.length + 2] = (byte) (first.length >>> 8);
        body[mech.length + 3] = (byte) first.length;
        System.arraycopy(first, 0, body, mech.length + 4, first.length);
        send('p', body);
        Message cont = read();
        scram.serverFirstMessage(new String(cont.body(), 4, cont.body().length - 4, StandardCharsets.UTF_8));
        send('p', scram.clientFinalMessage().toString().getBytes(StandardCharsets.UTF_8));
        while (true) {
            Message r = read();
            if (r.type() == 'E') {
                throw new IllegalStateException("login failed: " + r.fields());
            }
            if (r.type() == 'K') {
                backendProcessId = ((r.body()[0] & 0xFF) << 24) | ((r.body()[1] & 0xFF) << 16) | ((r.body()[2] & 0xFF) << 8)
                        | (r.body()[3] & 0xFF);
            }
            if (r.type() == 'Z') {
                return;
            }
        }
    }

    /** The process id of the BackendKeyData received at login. */
    public int backendProcessId() {
        return backendProcessId;
    }

    /** True when the server closed the connection (end of stream or reset). */
    public boolean closedByPeer() {
        try {
            return in.read() < 0;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
