package dev.veil.conversation;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Waits for state another thread changes (Veil's event loops, the audit writer): at most 10 s, then fails naming it. */
final class Eventually {
    private Eventually() {
    }

    static void until(String what, BooleanSupplier condition) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("waited 10 s for " + what);
            }
            Thread.sleep(5);
        }
    }
}
