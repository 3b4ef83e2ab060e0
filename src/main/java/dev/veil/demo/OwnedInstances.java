package dev.veil.demo;

import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The server directories this JVM runs an embedded server in. The sweep for abandoned directories asks here
 * before it probes a directory's lock file: a POSIX lock belongs to the process, and closing any descriptor of
 * the file (the probe's own) drops it, even one taken through another channel. Probing a directory of our own
 * therefore unlocked it, and the next JVM to sweep (a second test run, another checkout's tests) took the
 * server for abandoned and stopped it.
 */
final class OwnedInstances {
    private static final Set<Path> OWNED = ConcurrentHashMap.newKeySet();

    private OwnedInstances() {
    }

    static void add(Path directory) {
        OWNED.add(key(directory));
    }

    static void remove(Path directory) {
        OWNED.remove(key(directory));
    }

    static boolean ownedHere(Path directory) {
        return OWNED.contains(key(directory));
    }

    private static Path key(Path directory) {
        return directory.toAbsolutePath().normalize();
    }
}
