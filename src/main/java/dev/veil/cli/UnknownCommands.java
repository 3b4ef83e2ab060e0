package dev.veil.cli;

import picocli.CommandLine;

import java.io.PrintWriter;

/**
 * A word that names no sub-command ({@code veil frobnicate}, {@code veil audit chekc}) gets one line saying so
 * and listing the commands there are, and exit code 2, instead of picocli's "Unmatched argument at index 0" and a
 * whole usage page. Every other invalid input keeps picocli's own handling (also exit code 2).
 */
final class UnknownCommands implements CommandLine.IParameterExceptionHandler {
    private final CommandLine.IParameterExceptionHandler otherwise;

    private UnknownCommands(CommandLine.IParameterExceptionHandler otherwise) {
        this.otherwise = otherwise;
    }

    /** Installs the handler on {@code commandLine} and every sub-command below it. */
    static void install(CommandLine commandLine) {
        commandLine.setParameterExceptionHandler(new UnknownCommands(commandLine.getParameterExceptionHandler()));
    }

    @Override
    public int handleParseException(CommandLine.ParameterException e, String[] args) throws Exception {
        CommandLine command = e.getCommandLine();
        if (e instanceof CommandLine.UnmatchedArgumentException unmatched && !command.getSubcommands().isEmpty()
                && !unmatched.getUnmatched().isEmpty() && !unmatched.getUnmatched().get(0).startsWith("-")) {
            String name = command.getCommandSpec().qualifiedName();
            PrintWriter err = command.getErr();
            err.printf("%s: unknown command '%s'; the commands are: %s (%s --help says more)%n", name,
                    unmatched.getUnmatched().get(0), String.join(", ", command.getSubcommands().keySet()), name);
            err.flush();
            return command.getCommandSpec().exitCodeOnInvalidInput();
        }
        return otherwise.handleParseException(e, args);
    }
}
