package dev.veil.conversation;

import io.vertx.core.buffer.Buffer;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.List;

/**
 * A client on a plain loopback socket that speaks one wire protocol frame by frame, for the conversation
 * tests: it sends exactly the bytes a test asks for (several statements in one write when pipelining) and
 * reads back whole answers as {@link Reply}s. Blocking, with a read timeout, so a hang fails the test.
 */
abstract class WireClient implements AutoCloseable {
    private static final int READ_TIMEOUT_MILLIS = 10_000;
    private final Socket socket;
    protected final DataInputStream in;
    private final OutputStream out;

    WireClient(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        socket.setTcpNoDelay(true);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** Sends statements as simple queries (PostgreSQL Query, MySQL COM_QUERY), all in one write. */
    abstract void sendQueries(List<String> sql) throws IOException;

    /** Reads the whole answer to one simple query. */
    abstract Reply readAnswer() throws IOException;

    /**
     * Sends statements as one extended batch in one write: PostgreSQL Parse, Bind, Execute for each and one
     * Sync; MySQL COM_STMT_PREPARE then COM_STMT_EXECUTE of the statement prepared last, for each.
     */
    abstract void sendBatch(List<String> sql) throws IOException;

    /** Reads the whole answer to a batch of {@code statements}. */
    abstract Reply readBatchAnswer(int statements) throws IOException;

    /** Reads the beginning of a result to one simple query, up to and including its {@code rows}-th row. */
    abstract Reply readRows(int rows) throws IOException;

    /** Reads every frame until Veil closes the connection (after the error that ended the session). */
    abstract Reply readUntilClosed() throws IOException;

    Reply query(String sql) throws IOException {
        sendQueries(List.of(sql));
        return readAnswer();
    }

    protected void write(Buffer bytes) throws IOException {
        out.write(bytes.getBytes());
        out.flush();
    }

    /**
     * True when nothing arrives within a moment. Used only after the test knows Veil has processed everything
     * it could have sent (so a defect would already be on the wire): it can wrongly pass, never wrongly fail.
     */
    boolean nothingArrives() throws IOException {
        socket.setSoTimeout(200);
        try {
            in.read(); // a byte, or the end of the stream: something happened
            return false;
        } catch (SocketTimeoutException e) {
            return true;
        } finally {
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        }
    }

    /** True when Veil has closed the connection (end of stream or reset, with nothing more to read). */
    boolean closedByVeil() throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketException e) {
            return true;
        }
    }

    /** True for the end of the stream a read ran into: Veil closed the connection. */
    static boolean endOfStream(IOException e) {
        return e instanceof EOFException || e instanceof SocketException;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
