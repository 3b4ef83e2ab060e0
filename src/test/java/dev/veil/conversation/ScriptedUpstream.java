package dev.veil.conversation;

import dev.veil.analysis.Dialect;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * An upstream server inside the test JVM: a Vert.x server on a loopback port that speaks just enough of the
 * server side of one wire protocol for Veil to log in and run statements, and answers each statement from a
 * script. It records what it received, per connection, so tests can assert what reached the upstream (and
 * what never did). Statements the script does not know are answered as done, with no rows.
 */
abstract class ScriptedUpstream implements AutoCloseable {
    /** How a scripted answer ends after its rows. */
    enum Ending {
        /** The result completes normally. */
        COMPLETE,
        /** The server closes the connection after the rows: the upstream is lost mid-result. */
        LOST,
        /** The server sends nothing more and keeps the connection open: a result still streaming. */
        SILENT
    }

    /**
     * A result of one text column {@code v}, one row per value. {@code described}: a PostgreSQL Describe of its
     * statement or portal is answered with the column (else NoData). {@code error}: the statement fails instead,
     * with this SQLSTATE / errno, message and (PostgreSQL) DETAIL.
     */
    record Answer(List<String> rows, Ending ending, boolean describes, Failure error) {
        Answer(List<String> rows, Ending ending) {
            this(rows, ending, false, null);
        }

        static Answer rows(String... values) {
            return new Answer(List.of(values), Ending.COMPLETE);
        }

        static Answer rowsThenLost(String... values) {
            return new Answer(List.of(values), Ending.LOST);
        }

        static Answer rowsThenSilent(String... values) {
            return new Answer(List.of(values), Ending.SILENT);
        }

        static Answer failing(String sqlState, int errno, String message, String detail) {
            return new Answer(List.of(), Ending.COMPLETE, false, new Failure(sqlState, errno, message, detail));
        }

        /** The same answer, and a Describe of it says its column. */
        Answer whenDescribed() {
            return new Answer(rows, ending, true, error);
        }
    }

    /** How a scripted statement fails. */
    record Failure(String sqlState, int errno, String message, String detail) {
    }

    /** One message the server received on connection {@code connection} (numbered from 1 in accept order). */
    record Received(int connection, String message) {
    }

    private final Vertx vertx;
    private final Map<String, Answer> script = new ConcurrentHashMap<>();
    private final List<Received> received = new ArrayList<>();
    private final List<String> executed = new ArrayList<>();
    private final List<Integer> closed = new ArrayList<>();
    private int connections;
    private NetServer server;

    ScriptedUpstream(Vertx vertx) {
        this.vertx = vertx;
    }

    abstract Dialect dialect();

    /** The upstream's name in Veil's configuration. */
    abstract String name();

    /** Serves one accepted connection (on its event loop) until it closes. */
    abstract void serve(NetSocket socket, int connection);

    /** Answers {@code sql} with {@code answer} from now on. */
    ScriptedUpstream on(String sql, Answer answer) {
        script.put(sql, answer);
        return this;
    }

    /** The scripted answer for a statement, or null. */
    Answer answerFor(String sql) {
        return script.get(sql);
    }

    ScriptedUpstream start() throws Exception {
        server = InProcessVeil.await(vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(0))
                .connectHandler(socket -> {
                    int id;
                    synchronized (this) {
                        id = ++connections;
                    }
                    socket.closeHandler(v -> closed(id));
                    serve(socket, id);
                }).listen());
        return this;
    }

    int port() {
        return server.actualPort();
    }

    // ---- what the server saw (called by the dialects, read by the tests) -----------------------------

    synchronized void log(int connection, String message) {
        received.add(new Received(connection, message));
        notifyAll();
    }

    /** The server ran (or started to answer) a statement. */
    synchronized void ran(int connection, String sql) {
        executed.add(sql);
        log(connection, "ran " + sql);
    }

    private synchronized void closed(int connection) {
        closed.add(connection);
        notifyAll();
    }

    synchronized List<Received> received() {
        return List.copyOf(received);
    }

    /** What connection {@code connection} received, in order. */
    synchronized List<String> received(int connection) {
        return received.stream().filter(r -> r.connection() == connection).map(Received::message).toList();
    }

    /** The statements the server ran (simple queries, executions of prepared statements), in order. */
    synchronized List<String> executed() {
        return List.copyOf(executed);
    }

    synchronized int connections() {
        return connections;
    }

    synchronized boolean isClosed(int connection) {
        return closed.contains(connection);
    }

    /** Waits (at most 10 s) until some connection received a message matching {@code filter}; returns that connection. */
    int awaitReceived(Predicate<String> filter) throws InterruptedException {
        return await(() -> received.stream().filter(r -> filter.test(r.message())).map(Received::connection)
                .findFirst().orElse(null), "a message matching the filter");
    }

    /** Waits (at most 10 s) until the server's end of connection {@code connection} is closed. */
    void awaitClosed(int connection) throws InterruptedException {
        await(() -> closed.contains(connection) ? connection : null, "connection " + connection + " to close");
    }

    private synchronized <T> T await(Supplier<T> condition, String what) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            T found = condition.get();
            if (found != null) {
                return found;
            }
            long left = until - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("the scripted upstream waited 10 s for " + what + "; it received " + received);
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    @Override
    public void close() throws Exception {
        if (server != null) {
            InProcessVeil.await(server.close());
        }
    }
}
