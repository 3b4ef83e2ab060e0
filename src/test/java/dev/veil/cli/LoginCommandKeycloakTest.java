package dev.veil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.cli.login.Sleeper;
import dev.veil.testing.JwtParts;
import dev.veil.testing.KeycloakServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code veil login} against a real Keycloak (realm veil, public client veil-cli): the device grant approved
 * through Keycloak's forms, the browser flow with PKCE delivered to the loopback listener, and reuse and
 * refresh of the stored tokens without any interaction.
 */
@Tag("servers")
class LoginCommandKeycloakTest {
    private static KeycloakServer keycloak;

    @TempDir
    Path home;

    @BeforeAll
    static void keycloak() {
        keycloak = KeycloakServer.shared();
    }

    /** One run of the command as a user would type it, with its own home directory and clock. */
    private final class Run {
        final StringWriter out = new StringWriter();
        final LineQueue err = new LineQueue();
        final LoginCommand command;

        Run(Clock clock) {
            command = new LoginCommand(clock);
            command.env = Map.of();
            command.home = home;
            command.sleeper = Sleeper.REAL;
        }

        CompletableFuture<Integer> start(String... args) {
            List<String> all = new ArrayList<>(List.of("--issuer", keycloak.issuer(), "--host", "veil.example.com", "--pg-port", "15432"));
            all.addAll(List.of(args));
            CommandLine cli = new CommandLine(command);
            cli.setOut(new PrintWriter(out));
            cli.setErr(new PrintWriter(err, true));
            return CompletableFuture.supplyAsync(() -> cli.execute(all.toArray(String[]::new)));
        }

        int run(String... args) throws Exception {
            return start(args).get(120, TimeUnit.SECONDS);
        }

        /** The value of {@code export NAME='value'} in the output. */
        String exported(String name) {
            Matcher m = Pattern.compile("(?m)^export " + name + "='([^']*)'$").matcher(out.toString());
            assertThat(m.find()).as("export %s in %s", name, out).isTrue();
            return m.group(1);
        }
    }

    /** Standard error as lines, readable while the command still runs. */
    static final class LineQueue extends Writer {
        private final StringBuilder partial = new StringBuilder();
        final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final StringBuffer all = new StringBuffer();

        @Override
        public synchronized void write(char[] c, int off, int len) {
            for (int i = off; i < off + len; i++) {
                all.append(c[i]);
                if (c[i] == '\n') {
                    lines.add(partial.toString());
                    partial.setLength(0);
                } else {
                    partial.append(c[i]);
                }
            }
        }

        String await(Pattern p) throws InterruptedException {
            while (true) {
                String line = lines.poll(120, TimeUnit.SECONDS);
                assertThat(line).as("a line matching %s; standard error so far:%n%s", p, all).isNotNull();
                Matcher m = p.matcher(line);
                if (m.find()) {
                    return m.group(1);
                }
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    private static List<String> audiences(JsonNode claims) {
        List<String> a = new ArrayList<>();
        if (claims.path("aud").isArray()) {
            claims.get("aud").forEach(n -> a.add(n.asText()));
        } else {
            a.add(claims.path("aud").asText());
        }
        return a;
    }

    @Test
    void deviceGrantApprovedAtTheProviderPrintsEnvironmentLinesWithAGatewayToken() throws Exception {
        Run run = new Run(Clock.systemUTC());
        CompletableFuture<Integer> exit = run.start("--database", "shop");

        String complete = run.err.await(Pattern.compile("^\\s+or open (\\S+)$"));
        keycloak.approveDeviceCode(complete, "alice", "alice-password");

        assertThat(exit.get(120, TimeUnit.SECONDS)).as(run.err.all.toString()).isZero();
        String token = run.exported("PGPASSWORD");
        JsonNode claims = JwtParts.claims(token);
        assertThat(audiences(claims)).contains("veil-gateway");
        assertThat(claims.path("iss").asText()).isEqualTo(keycloak.issuer());
        assertThat(run.exported("PGUSER")).isEqualTo("alice@example.com");
        assertThat(run.exported("PGHOST")).isEqualTo("veil.example.com");
        assertThat(run.exported("PGPORT")).isEqualTo("15432");
        assertThat(run.exported("PGSSLMODE")).isEqualTo("require");
        assertThat(run.exported("PGDATABASE")).isEqualTo("shop");
        assertThat(run.err.all.toString()).contains("and enter the code ").doesNotContain("Exception");
        // the tokens are kept for the next run, privately
        Path store = home.resolve(".config/veil/tokens.json");
        assertThat(Files.readString(store)).contains(token);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(store))).isEqualTo("rw-------");
    }

    @Test
    void browserFlowWithPkceDeliversTheCodeToTheLoopbackListener() throws Exception {
        Run run = new Run(Clock.systemUTC());
        CompletableFuture<Integer> exit = run.start("--flow", "browser", "--no-browser", "--print-token");

        String url = run.err.await(Pattern.compile("^\\s+(http\\S+)$"));
        assertThat(url).contains("code_challenge_method=S256", "redirect_uri=http%3A%2F%2F127.0.0.1%3A");
        // Keycloak's forms, as the user's browser would fill them; the browser then follows the redirect.
        URI redirect = URI.create(keycloak.followAuthorizationUrl(url, "bob", "bob-password"));
        assertThat(redirect.toString()).startsWith("http://127.0.0.1:").contains("/callback?");
        HttpResponse<String> landing = HttpClient.newHttpClient().send(HttpRequest.newBuilder(redirect).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(landing.body()).contains("Signed in to Veil");

        assertThat(exit.get(120, TimeUnit.SECONDS)).as(run.err.all.toString()).isZero();
        String token = run.out.toString().strip();
        assertThat(token).doesNotContain("\n", "export");
        JsonNode claims = JwtParts.claims(token);
        assertThat(claims.path("email").asText()).isEqualTo("bob@example.com");
        assertThat(audiences(claims)).contains("veil-gateway");
    }

    @Test
    void laterRunsReuseTheStoredTokenThenRefreshItWithoutInteraction() throws Exception {
        Run first = new Run(Clock.systemUTC());
        CompletableFuture<Integer> exit = first.start("--print-token");
        keycloak.approveDeviceCode(first.err.await(Pattern.compile("^\\s+or open (\\S+)$")), "carol", "carol-password");
        assertThat(exit.get(120, TimeUnit.SECONDS)).isZero();
        String token = first.out.toString().strip();

        // Same moment: the stored token is handed out as it is; no prompt.
        Run second = new Run(Clock.systemUTC());
        assertThat(second.run()).isZero();
        assertThat(second.exported("PGPASSWORD")).isEqualTo(token);
        assertThat(second.err.all.toString()).doesNotContain("To sign in").contains("carol@example.com, token valid until", "(stored)");

        // Ten minutes on (the realm's tokens live five): refreshed with the refresh token, still no prompt.
        Run later = new Run(Clock.offset(Clock.systemUTC(), Duration.ofMinutes(10)));
        assertThat(later.run("--format", "pg-service", "--write")).as(later.err.all.toString()).isZero();
        assertThat(later.err.all.toString()).doesNotContain("To sign in").contains("(refreshed)", "psql service=veil");
        assertThat(Files.readString(home.resolve(".pg_service.conf"))).contains("[veil]\n", "user=carol@example.com\n");
        String pgpass = Files.readString(home.resolve(".pgpass"));
        assertThat(pgpass).startsWith("veil.example.com:15432:*:carol@example.com:");
        String refreshed = pgpass.strip().substring("veil.example.com:15432:*:carol@example.com:".length());
        assertThat(refreshed).isNotEqualTo(token);
        assertThat(JwtParts.claims(refreshed).path("email").asText()).isEqualTo("carol@example.com");
    }

    @Test
    void aSignInEndedAtTheProviderFallsBackToAnInteractiveSignIn() throws Exception {
        Run first = new Run(Clock.systemUTC());
        CompletableFuture<Integer> exit = first.start("--print-token");
        keycloak.approveDeviceCode(first.err.await(Pattern.compile("^\\s+or open (\\S+)$")), "dave", "dave-password");
        assertThat(exit.get(120, TimeUnit.SECONDS)).isZero();
        keycloak.logoutUser("dave");

        Run later = new Run(Clock.offset(Clock.systemUTC(), Duration.ofMinutes(10)));
        CompletableFuture<Integer> again = later.start("--print-token");
        String notice = later.err.await(Pattern.compile("^(veil login: the stored sign-in can no longer be refreshed.*)$"));
        assertThat(notice).contains("signing in again");
        keycloak.approveDeviceCode(later.err.await(Pattern.compile("^\\s+or open (\\S+)$")), "dave", "dave-password");
        assertThat(again.get(120, TimeUnit.SECONDS)).isZero();
        assertThat(JwtParts.claims(later.out.toString().strip()).path("preferred_username").asText()).isEqualTo("dave");
    }

    @Test
    void anUnknownClientFailsWithOneLineAndExitCodeOne() throws Exception {
        Run run = new Run(Clock.systemUTC());
        assertThat(run.run("--client-id", "no-such-client")).isEqualTo(1);
        assertThat(run.out.toString()).isEmpty();
        assertThat(run.err.all.toString().strip()).startsWith("veil login: the provider refused the device authorization request")
                .doesNotContain("\n", "Exception", "\tat ");
    }
}
