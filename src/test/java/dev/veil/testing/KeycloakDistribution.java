package dev.veil.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The Keycloak server distribution, unpacked from the zip Maven resolved (system property
 * {@value #ZIP_PROPERTY}, set by the pom) into {@code target/keycloak-<version>} the first time a test JVM needs
 * it, then reused by every later run until {@code mvn clean}. A marker file written after the last entry tells a
 * complete copy from one an interrupted run left behind; a file lock keeps two test JVMs from unpacking at once.
 */
final class KeycloakDistribution {
    static final String ZIP_PROPERTY = "keycloak.dist.zip";
    private static final String MARKER = ".veil-unpacked";

    private KeycloakDistribution() {
    }

    /** The distribution's home directory (with {@code bin/kc.sh}), unpacked if needed. */
    static Path home(Path targetDirectory) throws IOException {
        String zipProperty = System.getProperty(ZIP_PROPERTY);
        if (zipProperty == null || zipProperty.isBlank() || zipProperty.startsWith("${")) {
            throw new IllegalStateException("system property " + ZIP_PROPERTY + " is not set: run the tests through"
                    + " Maven (mvn test), whose surefire configuration passes the Keycloak distribution's path");
        }
        Path zip = Path.of(zipProperty);
        Files.createDirectories(targetDirectory);
        try (ZipFile archive = new ZipFile(zip.toFile());
             FileChannel lockFile = FileChannel.open(targetDirectory.resolve("keycloak-unpack.lock"),
                     StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = lockFile.lock()) {
            Path home = targetDirectory.resolve(topDirectory(archive)).normalize();
            if (!home.startsWith(targetDirectory.normalize())) {
                throw new IOException("unexpected top directory in " + zip);
            }
            if (!Files.exists(home.resolve(MARKER))) {
                deleteTree(home);
                unpack(archive, targetDirectory);
                Files.writeString(home.resolve(MARKER), zip.toString());
            }
            return home;
        }
    }

    private static String topDirectory(ZipFile archive) throws IOException {
        Enumeration<? extends ZipEntry> entries = archive.entries();
        if (!entries.hasMoreElements()) {
            throw new IOException(archive.getName() + " is empty");
        }
        String first = entries.nextElement().getName();
        int slash = first.indexOf('/');
        if (slash <= 0) {
            throw new IOException(archive.getName() + " does not start with a top directory: " + first);
        }
        return first.substring(0, slash);
    }

    private static void unpack(ZipFile archive, Path into) throws IOException {
        Path root = into.normalize();
        Enumeration<? extends ZipEntry> entries = archive.entries();
        while (entries.hasMoreElements()) {
            ZipEntry entry = entries.nextElement();
            Path target = root.resolve(entry.getName()).normalize();
            if (!target.startsWith(root)) {
                throw new IOException("zip entry outside the target directory: " + entry.getName());
            }
            if (entry.isDirectory()) {
                Files.createDirectories(target);
                continue;
            }
            Files.createDirectories(target.getParent());
            try (InputStream in = archive.getInputStream(entry)) {
                Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            }
            // java.util.zip drops Unix modes; only the launch scripts need the executable bit.
            if (entry.getName().endsWith(".sh")) {
                target.toFile().setExecutable(true, false);
            }
        }
    }

    private static void deleteTree(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
