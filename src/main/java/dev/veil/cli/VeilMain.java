package dev.veil.cli;

import dev.veil.ListenPorts;
import dev.veil.config.ConfigurationProblem;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import picocli.CommandLine;

/**
 * The executable: {@code veil} (or {@code veil serve}) runs the gateway; other sub-commands are tools
 * that read and exit. Tools must not open the HTTP port a running gateway holds, nor start listeners or
 * demo databases: the HTTP listener is switched off here, before Quarkus starts, and the gateway starts
 * only from {@link ServeCommand}.
 */
@QuarkusMain
public class VeilMain implements QuarkusApplication {
    private final CommandLine commandLine;

    public VeilMain(CommandLine commandLine) {
        this.commandLine = commandLine;
        UnknownCommands.install(commandLine);
        // A configuration Veil refuses (invalid values, ports taken) is the operator's to fix: its message names
        // what to change, so it goes out alone; a stack trace would bury it.
        commandLine.setExecutionExceptionHandler((e, command, parsed) -> {
            if (!(e instanceof ConfigurationProblem)) {
                throw e;
            }
            command.getErr().println("veil: " + e.getMessage());
            command.getErr().flush();
            return 1;
        });
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
    public int run(String... args) {
        return commandLine.execute(args);
    }
}
