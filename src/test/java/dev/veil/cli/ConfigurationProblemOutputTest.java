package dev.veil.cli;

import dev.veil.config.ConfigurationProblem;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.Callable;

import static org.assertj.core.api.Assertions.assertThat;

/** A configuration Veil refuses reaches the operator as its message alone (exit 1); other failures keep their trace. */
class ConfigurationProblemOutputTest {
    @CommandLine.Command(name = "veil")
    static final class Failing implements Callable<Integer> {
        RuntimeException failure;

        @Override
        public Integer call() {
            throw failure;
        }
    }

    private static String[] run(RuntimeException failure) {
        Failing command = new Failing();
        command.failure = failure;
        CommandLine cli = new CommandLine(command);
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err));
        int exit = VeilMain.configured(cli).execute();
        return new String[]{String.valueOf(exit), err.toString()};
    }

    @Test
    void aConfigurationProblemIsOneMessageWithoutAStackTrace() {
        String[] r = run(new ConfigurationProblem("veil.upstreams.app.password-env: environment variable APP_DB_PASSWORD is not set"));
        assertThat(r[0]).isEqualTo("1");
        assertThat(r[1]).isEqualTo("veil: veil.upstreams.app.password-env: environment variable APP_DB_PASSWORD is not set"
                + System.lineSeparator());
    }

    @Test
    void aPlainStartThatMeetsAConfigurationProblemSaysItTheSameWay() throws Exception {
        StringWriter err = new StringWriter();
        int exit = VeilMain.plainStart(() -> {
            throw new ConfigurationProblem("veil.pg.port: 5432 is taken");
        }, new PrintWriter(err));
        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("veil: veil.pg.port: 5432 is taken" + System.lineSeparator());
    }

    @Test
    void aPlainStartReturnsWhatServeReturns() throws Exception {
        assertThat(VeilMain.plainStart(() -> 0, new PrintWriter(new StringWriter()))).isZero();
    }

    @Test
    void anyOtherFailureKeepsItsStackTrace() {
        String[] r = run(new IllegalArgumentException("a bug"));
        assertThat(r[0]).isEqualTo("1");
        assertThat(r[1]).contains("java.lang.IllegalArgumentException: a bug").contains("\tat ");
    }
}
