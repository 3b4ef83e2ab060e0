package dev.veil.testing;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Maven points the test JVMs' {@code java.io.tmpdir} at {@code target/tmp} (pom.xml), so that what tests, Quarkus
 * and the servers they start write to "the" temporary directory stays in the build and goes with {@code mvn clean}.
 * The JDK does not create that directory; this does, before any test class is even discovered.
 */
public final class BuildTemporaryDirectory implements LauncherSessionListener {
    @Override
    public void launcherSessionOpened(LauncherSession session) {
        try {
            Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the temporary directory " + System.getProperty("java.io.tmpdir"), e);
        }
    }
}
