package dev.veil.cli;

import picocli.CommandLine;

/** {@code veil policy …}: try a policy file before it ships. Offline: no Veil needs to run. */
@CommandLine.Command(name = "policy", description = "Test a policy file against cases, or replay the audit trail through it.",
        mixinStandardHelpOptions = true, subcommands = {PolicyTestCommand.class, PolicyReplayCommand.class})
public class PolicyCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
