package dev.veil.cli;

import picocli.CommandLine;

import java.util.concurrent.Callable;

@CommandLine.Command(name = "replay", mixinStandardHelpOptions = true, description = "Replay the audit trail through a policy file.")
public class PolicyReplayCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        return 2;
    }
}
