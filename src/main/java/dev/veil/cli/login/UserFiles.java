package dev.veil.cli.login;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where {@code veil login} keeps and writes things, following each tool's own rules: Veil's directory is
 * {@code $XDG_CONFIG_HOME/veil} (else {@code ~/.config/veil}); libpq's files honour {@code PGPASSFILE} and
 * {@code PGSERVICEFILE}; the MySQL option file is Veil's own, for {@code --defaults-extra-file}.
 */
public record UserFiles(Path configDir, Path pgpass, Path pgService, Path mysqlOptions) {

    public static UserFiles from(Map<String, String> env, Path home) {
        String xdg = env.get("XDG_CONFIG_HOME");
        // The XDG base directory spec says a relative value is invalid and must be ignored.
        Path config = (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute() ? Path.of(xdg) : home.resolve(".config")).resolve("veil");
        return new UserFiles(config,
                path(env.get("PGPASSFILE"), home.resolve(".pgpass")),
                path(env.get("PGSERVICEFILE"), home.resolve(".pg_service.conf")),
                config.resolve("my.cnf"));
    }

    public Path tokens() {
        return configDir.resolve("tokens.json");
    }

    private static Path path(String value, Path fallback) {
        return value == null || value.isBlank() ? fallback : Path.of(value);
    }
}
