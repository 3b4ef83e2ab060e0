package dev.veil.cli;

import dev.veil.ListenPorts;
import dev.veil.config.ConfigurationProblem;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import jakarta.enterprise.inject.Instance;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * The executable: {@code veil} (or {@code veil serve}) runs the gateway; other sub-commands are tools
 * that read and exit. Tools must not open the HTTP port a running gateway holds, nor start listeners or
 * demo databases: the HTTP listener is switched off here, before Quarkus starts, and the gateway starts
 * only from {@link ServeCommand}.
 */
@QuarkusMain
public class VeilMain implements QuarkusApplication {
    private final Instance<CommandLine> commandLine;
    private final Instance<ServeCommand> serve;

    /**
     * The command line is made only for a command other than a plain start: picocli reflects over every command and
     * option to build its model, about 10 ms of the native executable's start.
     */
    public VeilMain(Instance<CommandLine> commandLine, Instance<ServeCommand> serve) {
        this.commandLine = commandLine;
        this.serve = serve;
    }

    /** Unknown sub-commands named as such, and a configuration Veil refuses as its message alone. */
    static CommandLine configured(CommandLine commandLine) {
        UnknownCommands.install(commandLine);
        // A configuration Veil refuses (invalid values, ports taken) is the operator's to fix: its message names
        // what to change, so it goes out alone; a stack trace would bury it.
        commandLine.setExecutionExceptionHandler((e, command, parsed) -> {
            if (!(e instanceof ConfigurationProblem)) {
                throw e;
            }
            refused(command.getErr(), (ConfigurationProblem) e);
            return 1;
        });
        return commandLine;
    }

    private static void refused(PrintWriter err, ConfigurationProblem e) {
        err.println("veil: " + e.getMessage());
        err.flush();
    }

    public static void main(String... args) {
        if (isTool(args)) {
            setIfAbsent("quarkus.http.host-enabled", "false");
            setIfAbsent("quarkus.log.level", "WARN");
            setIfAbsent("quarkus.log.console.stderr", "true");
        } else {
            try {
                ListenPorts.http(System.getenv(), System.getProperties()).requireFree();
            } catch (ConfigurationProblem e) {
                System.err.println("veil: " + e.getMessage());
                System.exit(1);
            }
        }
        Quarkus.run(VeilMain.class, args);
    }

    /** A tool is any sub-command but serve; no sub-command (or only options) means serve. */
    static boolean isTool(String... args) {
        for (String a : args) {
            if (!a.startsWith("-")) {
                return !a.equals("serve");
            }
            if (a.equals("-h") || a.equals("--help") || a.equals("-V") || a.equals("--version")) {
                return true;
            }
        }
        return false;
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    @Override
    public int run(String... args) throws Exception {
        if (args.length == 0 || args.length == 1 && args[0].equals("serve")) {
            return plainStart(serve.get(), new PrintWriter(System.err, true));
        }
        return configured(commandLine.get()).execute(args);
    }

    /** {@code veil} or {@code veil serve}, as picocli would run it: a configuration problem is one line, exit 1. */
    static int plainStart(Callable<Integer> serve, PrintWriter err) throws Exception {
        try {
            return serve.call();
        } catch (ConfigurationProblem e) {
            refused(err, e);
            return 1;
        }
    }
}
