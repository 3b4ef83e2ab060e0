package dev.veil.cli.login;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class TokenStoreTest {
    @TempDir
    Path home;

    private static TokenSet tokens(String access) {
        return new TokenSet(access, "refresh-" + access, "id-" + access, Instant.ofEpochSecond(1_800_000_000L), null, "openid email");
    }

    @Test
    void createsAPrivateDirectoryAndFileUnderXdgConfigHome() throws Exception {
        Path xdg = home.resolve("xdg");
        UserFiles files = UserFiles.from(Map.of("XDG_CONFIG_HOME", xdg.toString()), home);
        TokenStore store = new TokenStore(files.tokens());
        store.save(TokenStore.key("https://id.example.com/realms/veil", "veil-cli"), tokens("a1"));

        assertThat(store.file()).isEqualTo(xdg.resolve("veil/tokens.json"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(xdg.resolve("veil")))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(store.file()))).isEqualTo("rw-------");
        // no temporary files left beside it
        try (var list = Files.list(xdg.resolve("veil"))) {
            assertThat(list.map(p -> p.getFileName().toString())).containsExactly("tokens.json");
        }
    }

    @Test
    void fallsBackToDotConfigWhenXdgConfigHomeIsUnsetOrRelative() {
        assertThat(UserFiles.from(Map.of(), home).tokens()).isEqualTo(home.resolve(".config/veil/tokens.json"));
        assertThat(UserFiles.from(Map.of("XDG_CONFIG_HOME", "relative/dir"), home).tokens()).isEqualTo(home.resolve(".config/veil/tokens.json"));
    }

    @Test
    void tightensAnExistingFileThatOthersCouldRead() throws Exception {
        Path file = home.resolve("veil/tokens.json");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "{}");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(file.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
        new TokenStore(file).save("k", tokens("a1"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
    }

    @Test
    void keepsOneEntryPerIssuerAndClient() {
        TokenStore store = new TokenStore(home.resolve("veil/tokens.json"));
        String a = TokenStore.key("https://a.example.com/", "veil-cli");
        String b = TokenStore.key("https://b.example.com", "veil-cli");
        String c = TokenStore.key("https://a.example.com", "other-client");
        store.save(a, tokens("for-a"));
        store.save(b, tokens("for-b"));
        store.save(c, tokens("for-c"));
        store.save(a, new TokenSet("for-a-2", null, null, Instant.ofEpochSecond(1_900_000_000L), Instant.ofEpochSecond(1_950_000_000L), "openid"));

        TokenStore reread = new TokenStore(store.file());
        assertThat(reread.load(TokenStore.key("https://a.example.com", "veil-cli"))).get()
                .isEqualTo(new TokenSet("for-a-2", null, null, Instant.ofEpochSecond(1_900_000_000L), Instant.ofEpochSecond(1_950_000_000L), "openid"));
        assertThat(reread.load(b)).get().isEqualTo(tokens("for-b"));
        assertThat(reread.load(c)).get().isEqualTo(tokens("for-c"));
        reread.remove(b);
        assertThat(new TokenStore(store.file()).load(b)).isEmpty();
        assertThat(new TokenStore(store.file()).load(c)).isPresent();
    }

    @Test
    void aCorruptFileCountsAsEmptyAndIsReplacedOnSave() throws Exception {
        Path file = home.resolve("tokens.json");
        Files.writeString(file, "{not json");
        TokenStore store = new TokenStore(file);
        assertThat(store.load("k")).isEmpty();
        store.save("k", tokens("a1"));
        assertThat(store.load("k")).get().extracting(TokenSet::accessToken).isEqualTo("a1");
    }
}
