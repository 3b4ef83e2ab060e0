package dev.veil.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The demo's policy file: the shipped one ({@value #RESOURCE}) copied into a directory of its own, so that a newcomer
 * can edit the copy while Veil runs and watch it reload, and each {@code make run} starts again from the shipped one.
 * The copy and its directory are removed when the demo stops.
 */
final class DemoPolicy {
    static final String RESOURCE = "/dev/veil/demo/demo-policy.yaml";

    private Path file;

    /** The copy, written on first use. */
    synchronized Path file() {
        if (file == null) {
            try (InputStream shipped = DemoPolicy.class.getResourceAsStream(RESOURCE)) {
                if (shipped == null) {
                    throw new IllegalStateException("the demo policy " + RESOURCE + " is missing from the application");
                }
                Path directory = Files.createTempDirectory("veil-demo-policy-");
                Path copy = directory.resolve("policy.yaml");
                Files.copy(shipped, copy, StandardCopyOption.REPLACE_EXISTING);
                file = copy;
            } catch (IOException e) {
                throw new UncheckedIOException("could not write the demo policy file: " + e.getMessage(), e);
            }
        }
        return file;
    }

    /** The copy when one was written (the demo's policy is in force), else null. */
    synchronized Path written() {
        return file;
    }

    synchronized void delete() {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
            Files.deleteIfExists(file.getParent());
        } catch (IOException e) {
            // A temporary directory left behind: nothing depends on it.
        }
        file = null;
    }
}
