package dev.veil.cli.login;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes the file formats of {@link ConnectionEntries}, mode 0600, keeping what else the files hold. */
public final class ConnectionFiles {
    private ConnectionFiles() {
    }

    public static Path writePgpass(Path file, ConnectionTarget t, String token) {
        Path target = resolve(file);
        return write(target, ConnectionEntries.mergePgpass(read(target), t, token));
    }

    public static Path writeService(Path file, String service, ConnectionTarget t) {
        Path target = resolve(file);
        return write(target, ConnectionEntries.mergeService(read(target), service, t));
    }

    /** Veil's own file, written whole, in Veil's 0700 configuration directory. */
    public static Path writeMysqlOptions(Path file, ConnectionTarget t, String token, MysqlClient client) {
        try {
            PrivateFiles.directory(file.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new LoginException("cannot create " + file.getParent() + ": " + e.getMessage());
        }
        return write(resolve(file), ConnectionEntries.mysqlOptions(t, token, client));
    }

    /** A symbolic link (a dotfiles manager's) is followed so the entry lands in the real file. */
    private static Path resolve(Path file) {
        try {
            return Files.isSymbolicLink(file) ? file.toRealPath() : file;
        } catch (IOException e) {
            return file;
        }
    }

    private static String read(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new LoginException("cannot read " + file + ": " + e.getMessage());
        }
    }

    private static Path write(Path file, String content) {
        try {
            PrivateFiles.write(file, content);
            return file;
        } catch (IOException e) {
            throw new LoginException("cannot write " + file + ": " + e.getMessage());
        }
    }
}
