package dev.veil.cli;

import dev.veil.Gateway;
import io.quarkus.runtime.Quarkus;
import picocli.CommandLine;

import java.util.concurrent.Callable;

/** {@code veil serve}: starts the gateway (demo mode when nothing is configured) and runs until stopped. */
@CommandLine.Command(name = "serve", description = "Run the gateway (the default).")
public class ServeCommand implements Callable<Integer> {
    private final Gateway gateway;

    public ServeCommand(Gateway gateway) {
        this.gateway = gateway;
    }

    @Override
    public Integer call() throws Exception {
        gateway.start();
        IdleRelease.releaseWhenIdle();
        Quarkus.waitForExit();
        return 0;
    }
}
