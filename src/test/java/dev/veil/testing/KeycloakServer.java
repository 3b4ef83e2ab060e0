package dev.veil.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real Keycloak for identity tests: the server distribution from Maven ({@link KeycloakDistribution}) in
 * {@code start-dev} mode on 127.0.0.1 and a free port, started lazily once per test JVM by {@link #shared()} and
 * killed (with its process tree) when the JVM exits. Its database is in memory, so every JVM begins with exactly
 * the realm in {@code src/test/resources/keycloak/veil-realm.json}: realm {@value #REALM}, users alice / bob /
 * carol / dave with password {@code <name>-password}, clients veil-gateway (the audience), veil-cli, veil-web,
 * other-app and svc-reporting. The server log goes to {@code target/keycloak.log}.
 *
 * <p>The server is shared by every test in the JVM: a test that changes the realm (rotated keys, disabled users,
 * token lifespan) undoes the change in a {@code finally}, or changes only what no other test relies on.
 */
public final class KeycloakServer {
    public static final String REALM = "veil";
    public static final String ADMIN_USER = "veil-admin";
    public static final String ADMIN_PASSWORD = "veil-admin-password";
    /** Generous: a cold start on a busy two-core machine includes Keycloak's own build step. */
    private static final Duration STARTUP_LIMIT = Duration.ofMinutes(5);
    private static final String REALM_RESOURCE = "/keycloak/veil-realm.json";
    static final ObjectMapper JSON = new ObjectMapper();

    private static KeycloakServer shared;
    private static RuntimeException startFailure;

    private final int port;
    private final Path log;
    private final Duration startupTime;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    private final KeycloakAdmin admin;

    /** Tokens from the token endpoint; {@code idToken} and {@code refreshToken} are null where none was issued. */
    public record Tokens(String accessToken, String idToken, String refreshToken, long expiresIn) {
        public JsonNode accessClaims() {
            return JwtParts.claims(accessToken);
        }

        public JsonNode idClaims() {
            return JwtParts.claims(idToken);
        }

        @Override
        public String toString() {
            return "Tokens[expiresIn=" + expiresIn + "]"; // never the tokens themselves
        }
    }

    /** The provider refused a token request; {@code error} is the OAuth error code, e.g. {@code invalid_grant}. */
    public static final class TokenRequestFailed extends RuntimeException {
        private final int status;
        private final String error;

        TokenRequestFailed(int status, String error, String description) {
            super("token request refused: HTTP " + status + " " + error + (description == null ? "" : ": " + description));
            this.status = status;
            this.error = error;
        }

        public int status() {
            return status;
        }

        public String error() {
            return error;
        }
    }

    private KeycloakServer(int port, Path log, Duration startupTime) {
        this.port = port;
        this.log = log;
        this.startupTime = startupTime;
        this.admin = new KeycloakAdmin(this);
    }

    /** The Keycloak shared by every test in this JVM, started on first use; a failed start is not retried. */
    public static synchronized KeycloakServer shared() {
        if (startFailure != null) {
            throw startFailure;
        }
        if (shared == null) {
            try {
                shared = start(Path.of(System.getProperty("basedir", ".")).toAbsolutePath().resolve("target"));
            } catch (RuntimeException e) {
                startFailure = e;
                throw e;
            } catch (Exception e) {
                startFailure = new IllegalStateException("could not start Keycloak: " + e, e);
                throw startFailure;
            }
        }
        return shared;
    }

    private static KeycloakServer start(Path target) throws Exception {
        long began = System.nanoTime();
        Path home = KeycloakDistribution.home(target);
        Path importDirectory = Files.createDirectories(home.resolve("data").resolve("import"));
        try (InputStream realm = KeycloakServer.class.getResourceAsStream(REALM_RESOURCE)) {
            if (realm == null) {
                throw new IllegalStateException("realm file " + REALM_RESOURCE + " is not on the test class path");
            }
            Files.copy(realm, importDirectory.resolve("veil-realm.json"), StandardCopyOption.REPLACE_EXISTING);
        }
        int port = freePort();
        Path log = target.resolve("keycloak.log");
        ProcessBuilder builder = new ProcessBuilder("/bin/sh", home.resolve("bin").resolve("kc.sh").toString(),
                "start-dev", "--import-realm",
                "--db=dev-mem", // a fresh realm for every JVM: nothing a previous run changed survives
                "--http-host=127.0.0.1", "--http-port=" + port,
                "--http-management-port=" + freePort())
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        // The launcher honours these; values inherited from the developer's shell must not change the server.
        env.keySet().removeIf(name -> name.startsWith("KC_") || name.startsWith("JAVA_OPTS") || name.equals("JAVA"));
        env.put("JAVA_HOME", System.getProperty("java.home"));
        // Its temporary files (Vert.x cache, Quarkus web jars) go where the tests' own go, not to /tmp.
        env.put("JAVA_OPTS_APPEND", "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"));
        env.put("KC_BOOTSTRAP_ADMIN_USERNAME", ADMIN_USER);
        env.put("KC_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD);
        Process process = builder.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(process), "keycloak-stop"));
        awaitReady(process, URI.create("http://127.0.0.1:" + port + "/realms/" + REALM + "/.well-known/openid-configuration"),
                log, began);
        return new KeycloakServer(port, log, Duration.ofNanos(System.nanoTime() - began));
    }

    private static void awaitReady(Process process, URI discovery, Path log, long began) throws InterruptedException {
        long deadline = began + STARTUP_LIMIT.toNanos();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Keycloak exited with status " + process.exitValue()
                        + " before it was ready; last lines of " + log + ":\n" + logTail(log));
            }
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(discovery)
                        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYetListening) {
                // keep polling
            }
            Thread.sleep(250);
        }
        stop(process);
        throw new IllegalStateException("Keycloak was not ready within " + STARTUP_LIMIT.toSeconds() + " s ("
                + discovery + "); last lines of " + log + ":\n" + logTail(log));
    }

    private static String logTail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    /** Ends the launcher script and the server JVM it started (the script does not exec, so both run). */
    private static void stop(Process process) {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        tree.forEach(ProcessHandle::destroy);
        for (ProcessHandle handle : tree) {
            try {
                handle.onExit().get(15, TimeUnit.SECONDS);
            } catch (Exception notEndedInTime) {
                handle.destroyForcibly();
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:<port>} */
    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** {@code http://127.0.0.1:<port>/realms/veil}: the {@code iss} of every token the realm issues. */
    public String issuer() {
        return baseUrl() + "/realms/" + REALM;
    }

    /** How long {@link #shared()} took to unpack (if needed) and start Keycloak until the realm answered. */
    public Duration startupTime() {
        return startupTime;
    }

    /** The server's console output ({@code target/keycloak.log}), for diagnosing a failed test. */
    public Path logFile() {
        return log;
    }

    public String tokenEndpoint() {
        return issuer() + "/protocol/openid-connect/token";
    }

    public String authorizationEndpoint() {
        return issuer() + "/protocol/openid-connect/auth";
    }

    public String deviceAuthorizationEndpoint() {
        return issuer() + "/protocol/openid-connect/auth/device";
    }

    public String jwksUri() {
        return issuer() + "/protocol/openid-connect/certs";
    }

    public JsonNode discovery() {
        return getJson(issuer() + "/.well-known/openid-configuration", null);
    }

    public JsonNode jwks() {
        return getJson(jwksUri(), null);
    }

    /** Resource-owner password grant with scope {@code openid}, so an ID token comes too. */
    public Tokens passwordGrant(String clientId, String clientSecretOrNull, String username, String password) {
        return token(clientId, clientSecretOrNull, Map.of(
                "grant_type", "password", "username", username, "password", password, "scope", "openid"));
    }

    public Tokens clientCredentials(String clientId, String secret) {
        return token(clientId, secret, Map.of("grant_type", "client_credentials"));
    }

    public Tokens refresh(String clientId, String clientSecretOrNull, String refreshToken) {
        return token(clientId, clientSecretOrNull, Map.of("grant_type", "refresh_token", "refresh_token", refreshToken));
    }

    /** Redeems an authorization code, e.g. from {@link #followAuthorizationUrl}. */
    public Tokens exchangeCode(String clientId, String clientSecretOrNull, String code, String redirectUri,
                               String codeVerifierOrNull) {
        Map<String, String> form = new LinkedHashMap<>(Map.of(
                "grant_type", "authorization_code", "code", code, "redirect_uri", redirectUri));
        if (codeVerifierOrNull != null) {
            form.put("code_verifier", codeVerifierOrNull);
        }
        return token(clientId, clientSecretOrNull, form);
    }

    /** RFC 7662 introspection: {@code active} turns false once the token's session ends (logout, disabled user). */
    public JsonNode introspect(String clientId, String secret, String token) {
        HttpResponse<String> response = postForm(issuer() + "/protocol/openid-connect/token/introspect",
                Map.of("client_id", clientId, "client_secret", secret, "token", token), null);
        return json(expect(response, 200, "introspection"));
    }

    /**
     * Adds a generated RSA signing key with a higher priority than any the realm has, so tokens issued from now
     * on carry its {@code kid}; the older keys stay published and keep verifying tokens already issued.
     * Returns the new key's {@code kid}.
     */
    public String rotateSigningKey() {
        return admin.rotateSigningKey();
    }

    /** Disables the key provider of {@code kid}: the key leaves the JWKS and signs nothing more. */
    public void disableSigningKey(String kid) {
        admin.disableSigningKey(kid);
    }

    public void disableUser(String username) {
        admin.setUserEnabled(username, false);
    }

    public void enableUser(String username) {
        admin.setUserEnabled(username, true);
    }

    /** Ends every session of the user: their refresh tokens stop working and introspection reports inactive. */
    public void logoutUser(String username) {
        admin.logoutUser(username);
    }

    /** Sets the realm's access token lifespan and returns the previous one, for restoring it. */
    public int setAccessTokenLifespan(int seconds) {
        return admin.setAccessTokenLifespan(seconds);
    }

    /**
     * Logs in as {@code username} through Keycloak's HTML forms (a fresh cookie jar, like a new browser) and
     * approves the device grant of {@code verificationUriComplete}; the device's token poll then succeeds.
     * Returns the title of Keycloak's final page.
     */
    public String approveDeviceCode(String verificationUriComplete, String username, String password) {
        return new KeycloakLoginForms(baseUrl()).approveDevice(URI.create(verificationUriComplete), username, password);
    }

    /**
     * Opens {@code authorizationUrl} in a fresh cookie jar, logs in through the form and returns the
     * {@code Location} Keycloak finally redirects to (the client's redirect URI with {@code code} and
     * {@code state}), without following it.
     */
    public String followAuthorizationUrl(String authorizationUrl, String username, String password) {
        return new KeycloakLoginForms(baseUrl()).authorize(URI.create(authorizationUrl), username, password);
    }

    private Tokens token(String clientId, String clientSecretOrNull, Map<String, String> grant) {
        Map<String, String> form = new LinkedHashMap<>(grant);
        form.put("client_id", clientId);
        if (clientSecretOrNull != null) {
            form.put("client_secret", clientSecretOrNull);
        }
        HttpResponse<String> response = postForm(tokenEndpoint(), form, null);
        JsonNode body = json(response.body());
        if (response.statusCode() != 200) {
            throw new TokenRequestFailed(response.statusCode(), body.path("error").asText(null),
                    body.path("error_description").asText(null));
        }
        return new Tokens(body.path("access_token").asText(null), body.path("id_token").asText(null),
                body.path("refresh_token").asText(null), body.path("expires_in").asLong());
    }

    JsonNode getJson(String url, String bearerOrNull) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET();
        if (bearerOrNull != null) {
            request.header("Authorization", "Bearer " + bearerOrNull);
        }
        return json(expect(send(request.build()), 200, "GET " + url));
    }

    HttpResponse<String> postForm(String url, Map<String, String> form, String bearerOrNull) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(formBody(form)));
        if (bearerOrNull != null) {
            request.header("Authorization", "Bearer " + bearerOrNull);
        }
        return send(request.build());
    }

    HttpResponse<String> sendJson(String method, String url, Object body, String bearer) {
        try {
            return send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + bearer)
                    .header("Content-Type", "application/json")
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                    .build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + request.uri() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during " + request.method() + " " + request.uri(), e);
        }
    }

    static String expect(HttpResponse<String> response, int status, String what) {
        if (response.statusCode() != status) {
            throw new IllegalStateException(what + ": HTTP " + response.statusCode() + " " + response.body());
        }
        return response.body();
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException("not JSON: " + text, e);
        }
    }

    static String formBody(Map<String, String> form) {
        return form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }
}
