package dev.veil.cli.login;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Which family the local {@code mysql} command belongs to. The two disagree on option-file options: MySQL's
 * {@code ssl-mode} is "unknown variable" to MariaDB's client, which instead has {@code ssl} and calls
 * {@code enable-cleartext-plugin} obsolete; both read {@code [client]}, and no group is read by MySQL alone,
 * so the file is written for one family.
 */
public enum MysqlClient {
    MYSQL, MARIADB;

    /** The family of the first {@code mysql} (else {@code mariadb}) on PATH; MySQL when none is installed. */
    public static MysqlClient detect(Map<String, String> env) {
        Optional<Path> mysql = find("mysql", env);
        if (mysql.isEmpty()) {
            return find("mariadb", env).isPresent() ? MARIADB : MYSQL;
        }
        return version(mysql.get()).contains("MariaDB") ? MARIADB : MYSQL;
    }

    private static Optional<Path> find(String name, Map<String, String> env) {
        for (String dir : env.getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return Optional.of(Path.of(dir, name));
            }
        }
        return Optional.empty();
    }

    private static String version(Path binary) {
        try {
            Process p = new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            return out;
        } catch (Exception e) {
            return "";
        }
    }
}
