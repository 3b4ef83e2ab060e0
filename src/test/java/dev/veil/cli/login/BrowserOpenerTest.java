package dev.veil.cli.login;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** A browser is launched only where one evidently exists; otherwise the printed URL is all there is. */
class BrowserOpenerTest {
    @Test
    void linuxDesktopWithXdgOpenOpensOtherwiseNothingDoes(@TempDir Path bin) throws Exception {
        Path xdg = Files.createFile(bin.resolve("xdg-open"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        String path = "/nonexistent:" + bin;
        assertThat(BrowserOpener.command("Linux", Map.of("DISPLAY", ":0", "PATH", path))).hasValue(xdg.toString());
        assertThat(BrowserOpener.command("Linux", Map.of("WAYLAND_DISPLAY", "wayland-0", "PATH", path))).hasValue(xdg.toString());
        assertThat(BrowserOpener.command("Linux", Map.of("PATH", path))).isEmpty();
        assertThat(BrowserOpener.command("Linux", Map.of("DISPLAY", ":0", "SSH_CONNECTION", "10.0.0.1 5022 10.0.0.2 22", "PATH", path))).isEmpty();
        assertThat(BrowserOpener.command("Linux", Map.of("DISPLAY", ":0", "PATH", "/nonexistent"))).isEmpty();
        assertThat(BrowserOpener.command("Mac OS X", Map.of())).isEqualTo(Optional.of("open"));
    }
}
