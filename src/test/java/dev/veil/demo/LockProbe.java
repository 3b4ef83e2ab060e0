package dev.veil.demo;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Run in a JVM of its own: prints "held" when another process holds a lock on the file, "free" otherwise. */
public final class LockProbe {
    public static void main(String[] args) throws Exception {
        try (FileChannel channel = FileChannel.open(Path.of(args[0]), StandardOpenOption.WRITE);
             FileLock lock = channel.tryLock()) {
            System.out.print(lock == null ? "held" : "free");
        }
    }
}
