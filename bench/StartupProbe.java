import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * bench/startup.sh's client: starts one Veil command and measures, with pgjdbc, the time from exec to the port
 * accepting TCP connections and to the first connection that authenticated and answered SELECT 1, the first
 * statements (cold analysis), and the process's RSS idle and with N idle authenticated clients. Prints one
 * tab-separated line:
 *   label  port_ms  ready_ms  first_statement_ms  second_statement_ms  rss_idle_mib  rss_clients_mib  clients
 * Usage: java -cp <pgjdbc.jar> bench/StartupProbe.java LABEL VEIL_PG_PORT UPSTREAM_PG_PORT USER PASSWORD CLIENTS LOG -- COMMAND...
 */
public class StartupProbe {
    public static void main(String[] a) throws Exception {
        String label = a[0];
        int port = Integer.parseInt(a[1]);
        int upstreamPort = Integer.parseInt(a[2]);
        String user = a[3];
        String password = a[4];
        int clients = Integer.parseInt(a[5]);
        File log = new File(a[6]);
        if (!a[7].equals("--")) {
            throw new IllegalArgumentException("expected -- before the command");
        }
        List<String> command = List.of(a).subList(8, a.length);
        Properties props = new Properties();
        props.setProperty("user", user);
        props.setProperty("password", password);
        props.setProperty("sslmode", "disable");
        props.setProperty("gssEncMode", "disable");
        props.setProperty("connectTimeout", "10");
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/bench";

        // pgjdbc's own class loading and SCRAM code are warmed against the upstream first (startup.sh made a SCRAM
        // user there), so that the clock below measures Veil, not this client's first connection.
        Properties direct = new Properties();
        direct.setProperty("user", "scram_warmup");
        direct.setProperty("password", "warmup-secret");
        direct.setProperty("sslmode", "disable");
        for (int i = 0; i < 50; i++) {
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + upstreamPort + "/bench", direct)) {
                selectOne(c);
            }
        }

        long t0 = System.nanoTime();
        Process veil = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
        Connection first = null;
        try {
            // The port first (a bare TCP connect, closed at once: Veil, like PostgreSQL, drops it without a
            // reply), then the first answer: the difference is the first login, upstream connection and statement.
            double portMs = -1;
            while (portMs < 0) {
                alive(veil, label, log, t0);
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                    portMs = (System.nanoTime() - t0) / 1e6;
                } catch (IOException e) {
                    Thread.sleep(1);
                }
            }
            while (first == null) {
                alive(veil, label, log, t0);
                try {
                    Connection c = DriverManager.getConnection(url, props);
                    try {
                        selectOne(c);
                        first = c;
                    } catch (SQLException e) {
                        c.close();
                        throw e;
                    }
                } catch (SQLException e) {
                    Thread.sleep(1);
                }
            }
            double readyMs = (System.nanoTime() - t0) / 1e6;
            double firstMs = timed(first, "SELECT id, name FROM items WHERE id = 42");
            double secondMs = timed(first, "SELECT count(*) FROM items WHERE name LIKE 'item 1%' AND id > 10");
            Thread.sleep(3000);
            long rssIdle = rssKib(veil.pid());

            List<Connection> idle = Collections.synchronizedList(new ArrayList<>());
            idle.add(first);
            ExecutorService pool = Executors.newFixedThreadPool(4, r -> {
                Thread t = new Thread(r);
                t.setDaemon(true);
                return t;
            });
            List<Future<?>> opened = new ArrayList<>();
            for (int i = 1; i < clients; i++) {
                opened.add(pool.submit(() -> {
                    Connection c = DriverManager.getConnection(url, props);
                    selectOne(c);
                    idle.add(c);
                    return null;
                }));
            }
            for (Future<?> f : opened) {
                f.get();
            }
            pool.shutdown();
            Thread.sleep(3000);
            long rssClients = rssKib(veil.pid());
            System.out.printf("%s\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%d%n", label, portMs, readyMs, firstMs, secondMs,
                    rssIdle / 1024.0, rssClients / 1024.0, idle.size());
            for (Connection c : idle) {
                c.close();
            }
        } finally {
            veil.destroy();
            if (!veil.waitFor(20, TimeUnit.SECONDS)) {
                veil.destroyForcibly();
            }
        }
    }

    private static void alive(Process veil, String label, File log, long t0) {
        if (!veil.isAlive()) {
            throw new IllegalStateException(label + ": Veil exited with " + veil.exitValue() + " (log " + log + ")");
        }
        if (System.nanoTime() - t0 > 120_000_000_000L) {
            throw new IllegalStateException(label + ": no answer within 120 s (log " + log + ")");
        }
    }

    private static void selectOne(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT 1")) {
            r.next();
        }
    }

    private static double timed(Connection c, String sql) throws SQLException {
        long t = System.nanoTime();
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            while (r.next()) {
                r.getString(1);
            }
        }
        return (System.nanoTime() - t) / 1e6;
    }

    private static long rssKib(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS for " + pid);
    }
}
