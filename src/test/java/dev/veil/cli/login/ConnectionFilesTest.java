package dev.veil.cli.login;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ConnectionFilesTest {
    @TempDir
    Path home;

    private static final ConnectionTarget T = new ConnectionTarget("127.0.0.1", 15432, 13306, null, "alice@example.com", "require");

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void pgpassIsWrittenPrivateAndAnOpenOneIsTightened() throws Exception {
        Path pgpass = home.resolve(".pgpass");
        Files.writeString(pgpass, "other:5432:*:bob:pw\n");
        Files.setPosixFilePermissions(pgpass, PosixFilePermissions.fromString("rw-rw-r--"));
        ConnectionFiles.writePgpass(pgpass, T, "tok-1");
        ConnectionFiles.writePgpass(pgpass, T, "tok-2");
        assertThat(Files.readString(pgpass)).isEqualTo("127.0.0.1:15432:*:alice@example.com:tok-2\nother:5432:*:bob:pw\n");
        assertThat(mode(pgpass)).isEqualTo("rw-------");
    }

    @Test
    void aSymlinkedPgpassKeepsItsLinkAndTheEntryLandsInItsTarget() throws Exception {
        Path real = Files.createDirectories(home.resolve("dotfiles")).resolve("pgpass");
        Files.writeString(real, "");
        Path link = Files.createSymbolicLink(home.resolve(".pgpass"), real);
        ConnectionFiles.writePgpass(link, T, "tok");
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(Files.readString(real)).isEqualTo("127.0.0.1:15432:*:alice@example.com:tok\n");
    }

    @Test
    void serviceFileIsCreatedPrivateWithTheSection() throws Exception {
        Path f = home.resolve(".pg_service.conf");
        ConnectionFiles.writeService(f, "veil", T);
        assertThat(Files.readString(f)).startsWith("[veil]\nhost=127.0.0.1\n").contains("user=alice@example.com\n");
        assertThat(mode(f)).isEqualTo("rw-------");
    }

    @Test
    void mysqlOptionFileLivesInThePrivateVeilDirectory() throws Exception {
        UserFiles files = UserFiles.from(Map.of(), home);
        Path f = ConnectionFiles.writeMysqlOptions(files.mysqlOptions(), T, "tok", MysqlClient.MYSQL);
        assertThat(f).isEqualTo(home.resolve(".config/veil/my.cnf"));
        assertThat(mode(f)).isEqualTo("rw-------");
        assertThat(mode(f.getParent())).isEqualTo("rwx------");
        assertThat(Files.readString(f)).contains("password=\"tok\"\n", "port=13306\n");
    }

    @Test
    void libpqFileLocationsHonourTheirEnvironmentVariables() {
        Path elsewhere = home.resolve("elsewhere");
        UserFiles f = UserFiles.from(Map.of("PGPASSFILE", elsewhere.resolve("pgpass").toString(),
                "PGSERVICEFILE", elsewhere.resolve("services").toString()), home);
        assertThat(f.pgpass()).isEqualTo(elsewhere.resolve("pgpass"));
        assertThat(f.pgService()).isEqualTo(elsewhere.resolve("services"));
        assertThat(UserFiles.from(Map.of(), home).pgpass()).isEqualTo(home.resolve(".pgpass"));
    }
}
