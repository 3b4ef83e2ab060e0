package dev.veil.cli.login;

import java.time.Duration;

/** How the device grant waits between polls; tests pass one that advances their clock instead. */
@FunctionalInterface
public interface Sleeper {
    void sleep(Duration d) throws InterruptedException;

    Sleeper REAL = d -> Thread.sleep(d.toMillis());
}
