package dev.veil.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Constructor;

import static org.assertj.core.api.Assertions.assertThat;

/** The real command tree, parsed only (no command runs): a word that is no command is named, with the commands. */
class UnknownCommandsTest {
    private record Run(int exit, String out, String err) {
    }

    /** Builds each command with null collaborators: parsing never touches them. */
    private static final CommandLine.IFactory PARSE_ONLY = new CommandLine.IFactory() {
        @Override
        public <K> K create(Class<K> cls) throws Exception {
            if (!cls.getName().startsWith("dev.veil.")) {
                return CommandLine.defaultFactory().create(cls);
            }
            Constructor<?> constructor = cls.getDeclaredConstructors()[0];
            constructor.setAccessible(true);
            return cls.cast(constructor.newInstance(new Object[constructor.getParameterCount()]));
        }
    };

    private static Run veil(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(VeilCommand.class, PARSE_ONLY);
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        UnknownCommands.install(cli);
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void anUnknownTopLevelCommandExitsTwoAndListsTheCommands() {
        Run r = veil("frobnicate");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo(
                "veil: unknown command 'frobnicate'; the commands are: serve, audit, analyze, catalog, login, policy, approvals, access (veil --help says more)");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void anUnknownAuditCommandIsNamedWithTheAuditCommands() {
        Run r = veil("audit", "chekc", "--dir", "x");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo(
                "veil audit: unknown command 'chekc'; the commands are: verify, search, report, streams (veil audit --help says more)");
    }

    @Test
    void anUnknownOptionKeepsPicocliMessageAndExitCode() {
        Run r = veil("audit", "verify", "--frobnicate");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("Unknown option: '--frobnicate'");
    }
}
