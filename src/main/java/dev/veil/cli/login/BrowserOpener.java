package dev.veil.cli.login;

import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Opens the sign-in URL in a browser when this machine evidently has one (macOS, or a Linux desktop session
 * with xdg-open); over SSH or in a container it does nothing and the printed URL is all there is.
 */
public final class BrowserOpener {
    private BrowserOpener() {
    }

    /** True when a browser was launched (not necessarily shown: the URL is printed regardless). */
    public static boolean tryOpen(URI url, Map<String, String> env) {
        Optional<String> command = command(System.getProperty("os.name", ""), env);
        if (command.isEmpty()) {
            return false;
        }
        try {
            new ProcessBuilder(command.get(), url.toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    static Optional<String> command(String os, Map<String, String> env) {
        if (os.startsWith("Mac")) {
            return Optional.of("open");
        }
        boolean desktop = nonBlank(env.get("DISPLAY")) || nonBlank(env.get("WAYLAND_DISPLAY"));
        if (!desktop || nonBlank(env.get("SSH_CONNECTION"))) {
            return Optional.empty();
        }
        for (String dir : env.getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "xdg-open"))) {
                return Optional.of(Path.of(dir, "xdg-open").toString());
            }
        }
        return Optional.empty();
    }

    private static boolean nonBlank(String s) {
        return s != null && !s.isBlank();
    }
}
