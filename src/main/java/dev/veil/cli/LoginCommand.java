package dev.veil.cli;

import dev.veil.cli.login.BrowserOpener;
import dev.veil.cli.login.ConnectionEntries;
import dev.veil.cli.login.ConnectionFiles;
import dev.veil.cli.login.ConnectionTarget;
import dev.veil.cli.login.DeviceGrant;
import dev.veil.cli.login.JwtClaims;
import dev.veil.cli.login.LoginException;
import dev.veil.cli.login.LoginFlow;
import dev.veil.cli.login.MysqlClient;
import dev.veil.cli.login.OidcHttp;
import dev.veil.cli.login.Sleeper;
import dev.veil.cli.login.TokenStore;
import dev.veil.cli.login.UserFiles;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code veil login}: signs in at the organisation's OpenID Provider and prints (or writes) what a database
 * client needs to connect through Veil with the access token as its password. Standard output carries only
 * the result, so {@code eval "$(veil login)"} works; prompts and notices go to standard error.
 */
@CommandLine.Command(name = "login", mixinStandardHelpOptions = true,
        description = {"Sign in at your identity provider; print what psql or mysql needs.",
                "  eval \"$(veil login)\" && psql",
                "  veil login --format pg-service --write   # then: psql service=veil",
                "  veil login --format mysql --write        # then: mysql --defaults-extra-file=...",
                "The password is the provider's access token (audience veil-gateway), kept",
                "in $XDG_CONFIG_HOME/veil/tokens.json and refreshed when under a minute is left."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:signed in; output printed or written", "1:sign-in failed (provider unreachable, denied, code expired)",
                "2:invalid options"})
public class LoginCommand implements Callable<Integer> {
    public enum Format { ENV, PGPASS, PG_SERVICE, MYSQL, TOKEN }

    @CommandLine.Option(names = "--issuer", defaultValue = "${env:VEIL_OIDC_ISSUER}",
            description = "Issuer URL of the OpenID Provider (env VEIL_OIDC_ISSUER)")
    String issuer;

    @CommandLine.Option(names = "--client-id", defaultValue = "${env:VEIL_OIDC_CLIENT_ID:-veil-cli}",
            description = "Public client registered for the command line (env VEIL_OIDC_CLIENT_ID, default ${DEFAULT-VALUE})")
    String clientId;

    /**
     * Not offline_access by default: Keycloak refuses it to users without that role, and an offline token
     * outlives a logout at the provider. Okta and Auth0 issue refresh tokens only with it: add it there.
     */
    @CommandLine.Option(names = "--scope", defaultValue = "${env:VEIL_OIDC_SCOPE:-openid email profile}",
            description = "Scopes to ask for (env VEIL_OIDC_SCOPE, default \"${DEFAULT-VALUE}\"; add offline_access where the provider "
                    + "issues refresh tokens only with it)")
    String scope;

    @CommandLine.Option(names = "--flow", defaultValue = "${env:VEIL_LOGIN_FLOW:-device}",
            description = "device (enter a code on any device) or browser (authorization code with PKCE on a loopback redirect); default ${DEFAULT-VALUE}")
    String flow;

    @CommandLine.Option(names = "--force", description = "Sign in again even if a valid or refreshable token is stored")
    boolean force;

    @CommandLine.Option(names = "--no-browser", description = "With --flow browser: only print the URL, never open a browser")
    boolean noBrowser;

    @CommandLine.Option(names = "--host", defaultValue = "${env:VEIL_HOST:-127.0.0.1}",
            description = "Veil's host name for the output (env VEIL_HOST, default ${DEFAULT-VALUE})")
    String host;

    @CommandLine.Option(names = "--pg-port", defaultValue = "${env:VEIL_PG_PORT:-15432}",
            description = "Veil's PostgreSQL port (env VEIL_PG_PORT, default ${DEFAULT-VALUE})")
    int pgPort;

    @CommandLine.Option(names = "--mysql-port", defaultValue = "${env:VEIL_MYSQL_PORT:-13306}",
            description = "Veil's MySQL port (env VEIL_MYSQL_PORT, default ${DEFAULT-VALUE})")
    int mysqlPort;

    @CommandLine.Option(names = "--database", defaultValue = "${env:VEIL_DATABASE}",
            description = "Database to connect to (env VEIL_DATABASE; default: the client's)")
    String database;

    @CommandLine.Option(names = "--sslmode", defaultValue = "${env:VEIL_SSLMODE:-require}",
            description = "libpq sslmode (MySQL: the matching ssl-mode); the token must travel inside TLS (default ${DEFAULT-VALUE})")
    String sslMode;

    @CommandLine.Option(names = "--user", description = "Database user name (default: the token's email claim, else preferred_username)")
    String user;

    @CommandLine.Option(names = "--format", defaultValue = "env",
            description = "env, pgpass, pg-service, mysql or token (default ${DEFAULT-VALUE})")
    String format;

    @CommandLine.Option(names = "--print-token", description = "Print only the access token (same as --format token)")
    boolean printToken;

    @CommandLine.Option(names = "--write", description = "Write the entry: ~/.pgpass (PGPASSFILE), ~/.pg_service.conf (PGSERVICEFILE) "
            + "plus ~/.pgpass for the password, or $XDG_CONFIG_HOME/veil/my.cnf; mode 0600")
    boolean write;

    @CommandLine.Option(names = "--service", defaultValue = "veil", description = "pg_service section name (default ${DEFAULT-VALUE})")
    String service;

    @CommandLine.Option(names = "--mysql-client", defaultValue = "auto",
            description = "Option-file dialect: mysql, mariadb, or auto (the family of the mysql command on PATH)")
    String mysqlClient;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final Clock clock;
    /** The process environment and home directory; tests give their own. */
    Map<String, String> env = System.getenv();
    Path home = Path.of(System.getProperty("user.home"));
    Sleeper sleeper = Sleeper.REAL;
    Duration browserTimeout = Duration.ofMinutes(5);

    public LoginCommand(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Format fmt = format();
        LoginFlow.Flow how = flow();
        MysqlClient family = fmt == Format.MYSQL ? mysqlClient() : null;
        if (issuer == null || issuer.isBlank()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "no identity provider: pass --issuer or set VEIL_OIDC_ISSUER");
        }
        if (write && (fmt == Format.ENV || fmt == Format.TOKEN)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--write applies to --format pgpass, pg-service or mysql");
        }
        try {
            ConnectionTarget.checkSslMode(sslMode); // before anyone is asked to sign in
            UserFiles files = UserFiles.from(env, home);
            LoginFlow login = new LoginFlow(new OidcHttp(Duration.ofSeconds(30)), new TokenStore(files.tokens()), clock, sleeper,
                    new SecureRandom(), browserTimeout);
            LoginFlow.Outcome outcome = login.obtain(new LoginFlow.Request(issuer, clientId, scope, how, force), ui(err));
            String token = outcome.tokens().accessToken();
            if (fmt == Format.TOKEN) {
                out.println(token);
                out.flush();
                return 0;
            }
            String who = user != null ? user : userFromTokens(outcome);
            ConnectionTarget t = new ConnectionTarget(host, pgPort, mysqlPort, database == null || database.isBlank() ? null : database,
                    who, sslMode);
            emit(fmt, t, token, family, files, out, err);
            err.println("veil login: " + who + ", token valid until " + outcome.tokens().expiresAt().truncatedTo(ChronoUnit.SECONDS)
                    + switch (outcome.action()) {
                        case REUSE -> " (stored)";
                        case REFRESH -> " (refreshed)";
                        case SIGN_IN -> "";
                    });
            out.flush();
            err.flush();
            return 0;
        } catch (LoginException e) {
            err.println("veil login: " + e.getMessage());
            err.flush();
            return 1;
        }
    }

    private void emit(Format fmt, ConnectionTarget t, String token, MysqlClient family, UserFiles files, PrintWriter out, PrintWriter err) {
        switch (fmt) {
            case ENV -> out.print(ConnectionEntries.env(t, token));
            case PGPASS -> {
                if (write) {
                    Path f = ConnectionFiles.writePgpass(files.pgpass(), t, token);
                    err.println("wrote the entry for " + t.host() + ":" + t.pgPort() + " to " + f + "; connect with:");
                    err.println("  psql \"host=" + t.host() + " port=" + t.pgPort() + " user=" + t.user() + " sslmode=" + t.sslMode()
                            + (t.database() == null ? "" : " dbname=" + t.database()) + "\"");
                } else {
                    out.println(ConnectionEntries.pgpassLine(t, token));
                }
            }
            case PG_SERVICE -> {
                if (write) {
                    Path f = ConnectionFiles.writeService(files.pgService(), service, t);
                    Path p = ConnectionFiles.writePgpass(files.pgpass(), t, token);
                    err.println("wrote section [" + service + "] to " + f + " and its password to " + p + "; connect with:");
                    err.println("  psql service=" + service);
                } else {
                    out.print(ConnectionEntries.pgService(service, t));
                    err.println("the password is not part of the section (libpq limits its lines to 255 characters): "
                            + "keep it in ~/.pgpass, or use --write, which writes both");
                }
            }
            case MYSQL -> {
                if (write) {
                    Path f = ConnectionFiles.writeMysqlOptions(files.mysqlOptions(), t, token, family);
                    err.println("wrote " + f + "; connect with:");
                    err.println("  mysql --defaults-extra-file=" + f);
                } else {
                    out.print(ConnectionEntries.mysqlOptions(t, token, family));
                }
            }
            default -> throw new IllegalStateException(fmt.name());
        }
    }

    /** Veil matches the user name against the token's email (or preferred_username) claim. */
    private static String userFromTokens(LoginFlow.Outcome outcome) {
        String access = outcome.tokens().accessToken();
        String id = outcome.tokens().idToken();
        return JwtClaims.text(access, "email")
                .or(() -> JwtClaims.text(access, "preferred_username"))
                .or(() -> JwtClaims.text(id, "email"))
                .or(() -> JwtClaims.text(id, "preferred_username"))
                .orElseThrow(() -> new LoginException("the tokens name no email or preferred_username: pass --user"));
    }

    private MysqlClient mysqlClient() {
        return switch (mysqlClient.trim().toLowerCase(Locale.ROOT)) {
            case "mysql" -> MysqlClient.MYSQL;
            case "mariadb" -> MysqlClient.MARIADB;
            case "auto" -> MysqlClient.detect(env);
            default -> throw new CommandLine.ParameterException(spec.commandLine(),
                    "unknown --mysql-client " + mysqlClient + " (mysql, mariadb or auto)");
        };
    }

    private Format format() {
        if (printToken) {
            return Format.TOKEN;
        }
        try {
            return Format.valueOf(format.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "unknown --format " + format + " (env, pgpass, pg-service, mysql or token)");
        }
    }

    private LoginFlow.Flow flow() {
        return switch (flow.trim().toLowerCase(Locale.ROOT)) {
            case "device" -> LoginFlow.Flow.DEVICE;
            case "browser" -> LoginFlow.Flow.BROWSER;
            default -> throw new CommandLine.ParameterException(spec.commandLine(), "unknown --flow " + flow + " (device or browser)");
        };
    }

    private LoginFlow.Ui ui(PrintWriter err) {
        return new LoginFlow.Ui() {
            @Override
            public void notice(String line) {
                err.println("veil login: " + line);
                err.flush();
            }

            @Override
            public void device(DeviceGrant.Prompt p) {
                err.println("To sign in, open " + p.verificationUri() + " and enter the code " + p.userCode());
                if (p.verificationUriComplete() != null) {
                    err.println("  or open " + p.verificationUriComplete());
                }
                long minutes = Math.max(1, Duration.between(clock.instant(), p.expiresAt()).toMinutes());
                err.println("Waiting for the sign-in (the code expires in " + minutes + " min)...");
                err.flush();
            }

            @Override
            public void browser(URI url) {
                err.println("To sign in, open this URL in a browser on this machine:");
                err.println("  " + url);
                if (!noBrowser && BrowserOpener.tryOpen(url, env)) {
                    err.println("(a browser was opened)");
                }
                err.println("Waiting for the browser to return to " + redirectOf(url) + " ...");
                err.flush();
            }
        };
    }

    private static String redirectOf(URI url) {
        for (String pair : url.getRawQuery().split("&")) {
            if (pair.startsWith("redirect_uri=")) {
                return URLDecoder.decode(pair.substring("redirect_uri=".length()), StandardCharsets.UTF_8);
            }
        }
        return "the loopback address";
    }
}
