package dev.veil;

import dev.veil.config.ConfigurationProblem;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The ports Veil is about to listen on (its listeners, the demo's databases), checked before anything starts: a
 * port held by another process (often a second {@code make run}) is refused at once, naming the property and
 * environment variable that move it, instead of failing with a bind error after the demo databases started.
 */
public final class ListenPorts {
    /** One port to be bound; {@code property} and {@code variable} are how an operator moves it. */
    record Port(String property, String variable, String host, int port) {
    }

    private final List<Port> ports = new ArrayList<>();

    public ListenPorts add(String property, String variable, String host, int port) {
        if (port != 0) {
            ports.add(new Port(property, variable, host, port));
        }
        return this;
    }

    /** @throws ConfigurationProblem listing every port that cannot be bound */
    public void requireFree() {
        List<String> taken = new ArrayList<>();
        for (Port p : ports) {
            String problem = bindProblem(p.host(), p.port());
            if (problem != null) {
                taken.add("%s: %s:%d %s; stop what holds it, or move this port, e.g. %s=%d"
                        .formatted(p.property(), p.host(), p.port(), problem, p.variable(), suggestion(p.port())));
            }
        }
        if (!taken.isEmpty()) {
            throw new ConfigurationProblem((taken.size() == 1 ? "a port cannot be used" : taken.size() + " ports cannot be used")
                    + ":\n  " + String.join("\n  ", taken));
        }
    }

    /**
     * The HTTP port as Quarkus will resolve it (quarkus.http.port as a system property, QUARKUS_HTTP_PORT,
     * VEIL_HTTP_PORT, 8080), checked before Quarkus starts: Quarkus binds it while booting, before Veil's own
     * check runs, and a taken port would otherwise end the start with its stack trace. A value this cannot read
     * is left for Quarkus to judge.
     */
    public static ListenPorts http(Map<String, String> env, Properties system) {
        String host = first(system.getProperty("quarkus.http.host"), env.get("QUARKUS_HTTP_HOST"), "127.0.0.1");
        String port = first(system.getProperty("quarkus.http.port"), env.get("QUARKUS_HTTP_PORT"), env.get("VEIL_HTTP_PORT"), "8080");
        ListenPorts ports = new ListenPorts();
        try {
            ports.add("quarkus.http.port", "VEIL_HTTP_PORT", host, Integer.parseInt(port.trim()));
        } catch (NumberFormatException e) {
            // Quarkus reports it with the property's name.
        }
        return ports;
    }

    private static String first(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }

    /** The same port ten thousand higher (15432 → 25432), or lower where that would not be a port. */
    static int suggestion(int port) {
        return port + 10_000 <= 65_535 ? port + 10_000 : port - 10_000;
    }

    /** Null when the port can be bound; otherwise what is wrong, in words. */
    private static String bindProblem(String host, int port) {
        try (ServerSocket probe = new ServerSocket()) {
            // As the listeners bind: SO_REUSEADDR, so a port in TIME_WAIT from a previous run counts as free.
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(host, port));
            return null;
        } catch (BindException e) {
            return e.getMessage() != null && e.getMessage().contains("in use")
                    ? "is already in use by another process (another Veil, or a second demo?)"
                    : "cannot be bound (" + e.getMessage() + ")";
        } catch (IOException e) {
            return "cannot be bound (" + e.getMessage() + ")";
        }
    }
}
