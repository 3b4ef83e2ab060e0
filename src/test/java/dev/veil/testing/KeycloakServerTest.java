package dev.veil.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.testing.KeycloakServer.TokenRequestFailed;
import dev.veil.testing.KeycloakServer.Tokens;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The test Keycloak and its realm behave as the identity tests assume: who is in which group, which clients'
 * tokens are meant for Veil, key rotation, revocation, and the browser flows driven without a browser.
 */
@Tag("servers")
class KeycloakServerTest {
    private static final String GATEWAY = "veil-gateway";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static KeycloakServer keycloak;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void startKeycloak() {
        keycloak = KeycloakServer.shared();
        System.out.printf("Keycloak on port %d, ready after %.1f s%n", keycloak.port(),
                keycloak.startupTime().toMillis() / 1000.0);
    }

    @Test
    void discoveryDocumentNamesTheRealmAsIssuer() {
        JsonNode discovery = keycloak.discovery();

        assertThat(discovery.path("issuer").asText()).isEqualTo("http://127.0.0.1:" + keycloak.port() + "/realms/veil");
        assertThat(keycloak.issuer()).isEqualTo(discovery.path("issuer").asText());
        assertThat(discovery.path("jwks_uri").asText()).isEqualTo(keycloak.jwksUri());
        assertThat(discovery.path("token_endpoint").asText()).isEqualTo(keycloak.tokenEndpoint());
        assertThat(discovery.path("device_authorization_endpoint").asText()).isEqualTo(keycloak.deviceAuthorizationEndpoint());
    }

    @Test
    void veilCliTokenIsForTheGatewayAndCarriesGroupsAndEmail() {
        Tokens tokens = keycloak.passwordGrant("veil-cli", null, "alice", "alice-password");

        JsonNode access = tokens.accessClaims();
        assertThat(access.path("iss").asText()).isEqualTo(keycloak.issuer());
        assertThat(audiences(access)).contains(GATEWAY);
        assertThat(strings(access.path("groups"))).containsExactly("analysts");
        assertThat(access.path("email").asText()).isEqualTo("alice@example.com");
        assertThat(access.path("preferred_username").asText()).isEqualTo("alice");
        assertThat(access.path("azp").asText()).isEqualTo("veil-cli");
        assertThat(signingKids()).contains(JwtParts.header(tokens.accessToken()).path("kid").asText());
        assertThat(JwtParts.header(tokens.accessToken()).path("alg").asText()).isEqualTo("RS256");
        // ID tokens are meant for the client, and also name the gateway so Veil may accept them as passwords
        assertThat(audiences(tokens.idClaims())).contains("veil-cli", GATEWAY);
        assertThat(strings(tokens.idClaims().path("groups"))).containsExactly("analysts");
        assertThat(tokens.refreshToken()).isNotBlank();
        assertThat(tokens.expiresIn()).isEqualTo(300);
    }

    @Test
    void eachUserCarriesTheirOwnGroup() {
        assertThat(strings(keycloak.passwordGrant("veil-cli", null, "bob", "bob-password").accessClaims().path("groups")))
                .containsExactly("engineers");
        assertThat(strings(keycloak.passwordGrant("veil-web", "veil-web-secret", "carol", "carol-password")
                .accessClaims().path("groups"))).containsExactly("admins");
        JsonNode dave = keycloak.passwordGrant("veil-cli", null, "dave", "dave-password").accessClaims();
        assertThat(dave.path("email").asText()).isEqualTo("dave@example.com");
        assertThat(strings(dave.path("groups"))).isEmpty();
    }

    @Test
    void otherAppTokenIsNotForTheGateway() {
        JsonNode access = keycloak.passwordGrant("other-app", "other-app-secret", "alice", "alice-password").accessClaims();

        assertThat(access.path("azp").asText()).isEqualTo("other-app");
        assertThat(audiences(access)).doesNotContain(GATEWAY);
        assertThat(strings(access.path("groups"))).containsExactly("analysts");
    }

    @Test
    void serviceAccountGetsGatewayTokenThroughClientCredentials() {
        Tokens tokens = keycloak.clientCredentials("svc-reporting", "svc-reporting-secret");

        JsonNode access = tokens.accessClaims();
        assertThat(audiences(access)).contains(GATEWAY);
        assertThat(access.path("azp").asText()).isEqualTo("svc-reporting");
        assertThat(access.path("preferred_username").asText()).isEqualTo("service-account-svc-reporting");
        assertThatThrownBy(() -> keycloak.clientCredentials("svc-reporting", "wrong-secret"))
                .isInstanceOf(TokenRequestFailed.class)
                .satisfies(e -> assertThat(((TokenRequestFailed) e).error()).isEqualTo("unauthorized_client"));
    }

    @Test
    void wrongPasswordIsRefused() {
        assertThatThrownBy(() -> keycloak.passwordGrant("veil-cli", null, "alice", "not-alices-password"))
                .isInstanceOf(TokenRequestFailed.class)
                .satisfies(e -> assertThat(((TokenRequestFailed) e).error()).isEqualTo("invalid_grant"));
    }

    @Test
    void refreshIssuesANewAccessTokenForTheSameUser() {
        Tokens first = keycloak.passwordGrant("veil-cli", null, "bob", "bob-password");

        Tokens refreshed = keycloak.refresh("veil-cli", null, first.refreshToken());

        assertThat(refreshed.accessToken()).isNotEqualTo(first.accessToken());
        assertThat(refreshed.accessClaims().path("sub").asText()).isEqualTo(first.accessClaims().path("sub").asText());
        assertThat(audiences(refreshed.accessClaims())).contains(GATEWAY);
    }

    @Test
    void rotatedKeySignsNewTokensWhileTheOldOneStillVerifies() {
        String oldKid = JwtParts.header(keycloak.passwordGrant("veil-cli", null, "alice", "alice-password").accessToken())
                .path("kid").asText();

        String newKid = keycloak.rotateSigningKey();
        try {
            String kid = JwtParts.header(keycloak.passwordGrant("veil-cli", null, "alice", "alice-password").accessToken())
                    .path("kid").asText();
            assertThat(kid).isEqualTo(newKid).isNotEqualTo(oldKid);
            assertThat(signingKids()).contains(oldKid, newKid);
        } finally {
            keycloak.disableSigningKey(newKid);
        }
        assertThat(signingKids()).contains(oldKid).doesNotContain(newKid);
        assertThat(JwtParts.header(keycloak.passwordGrant("veil-cli", null, "alice", "alice-password").accessToken())
                .path("kid").asText()).isEqualTo(oldKid);
    }

    @Test
    void loggingOutAUserEndsTheirSessions() {
        Tokens tokens = keycloak.passwordGrant("veil-cli", null, "dave", "dave-password");
        assertThat(keycloak.introspect(GATEWAY, "veil-gateway-secret", tokens.accessToken()).path("active").asBoolean())
                .isTrue();

        keycloak.logoutUser("dave");

        assertThat(keycloak.introspect(GATEWAY, "veil-gateway-secret", tokens.accessToken()).path("active").asBoolean())
                .isFalse();
        assertThatThrownBy(() -> keycloak.refresh("veil-cli", null, tokens.refreshToken()))
                .isInstanceOf(TokenRequestFailed.class)
                .satisfies(e -> assertThat(((TokenRequestFailed) e).error()).isEqualTo("invalid_grant"));
    }

    @Test
    void disabledUserGetsNoTokens() {
        keycloak.disableUser("dave");
        try {
            assertThatThrownBy(() -> keycloak.passwordGrant("veil-cli", null, "dave", "dave-password"))
                    .isInstanceOf(TokenRequestFailed.class)
                    .satisfies(e -> assertThat(((TokenRequestFailed) e).error()).isEqualTo("invalid_grant"));
        } finally {
            keycloak.enableUser("dave");
        }
        assertThat(keycloak.passwordGrant("veil-cli", null, "dave", "dave-password").accessToken()).isNotBlank();
    }

    @Test
    void accessTokenLifespanCanBeShortened() {
        int previous = keycloak.setAccessTokenLifespan(42);
        try {
            JsonNode access = keycloak.passwordGrant("veil-cli", null, "bob", "bob-password").accessClaims();
            assertThat(access.path("exp").asLong() - access.path("iat").asLong()).isEqualTo(42);
        } finally {
            keycloak.setAccessTokenLifespan(previous);
        }
        assertThat(previous).isEqualTo(300);
    }

    @Test
    void deviceGrantCompletesOnceApprovedThroughTheLoginForms() throws Exception {
        // veil-cli requires PKCE, and Keycloak applies that to the device grant too
        String verifier = random();
        JsonNode device = postForm(keycloak.deviceAuthorizationEndpoint(), Map.of("client_id", "veil-cli", "scope", "openid",
                "code_challenge", s256(verifier), "code_challenge_method", "S256"));
        String deviceCode = device.path("device_code").asText();
        assertThat(device.path("verification_uri_complete").asText()).startsWith(keycloak.issuer());
        assertThat(pollDeviceToken(deviceCode, verifier).path("error").asText()).isEqualTo("authorization_pending");

        String finalPage = keycloak.approveDeviceCode(device.path("verification_uri_complete").asText(), "bob", "bob-password");

        JsonNode token = pollDeviceTokenUntilDecided(deviceCode, verifier, device.path("interval").asInt(5));
        assertThat(token.path("error").isMissingNode()).as("token response %s after page '%s'", token, finalPage).isTrue();
        JsonNode access = JwtParts.claims(token.path("access_token").asText());
        assertThat(access.path("preferred_username").asText()).isEqualTo("bob");
        assertThat(audiences(access)).contains(GATEWAY);
        assertThat(token.path("refresh_token").asText()).isNotBlank();
    }

    @Test
    void authorizationCodeWithPkceRedirectsToAnyLoopbackPort() throws Exception {
        String verifier = random();
        String challenge = s256(verifier);
        String state = random();
        String redirectUri = "http://127.0.0.1:" + (20000 + RANDOM.nextInt(40000)) + "/callback";
        String url = keycloak.authorizationEndpoint() + "?" + KeycloakServer.formBody(ordered(
                "response_type", "code", "client_id", "veil-cli", "redirect_uri", redirectUri, "scope", "openid",
                "state", state, "code_challenge", challenge, "code_challenge_method", "S256"));

        URI location = URI.create(keycloak.followAuthorizationUrl(url, "alice", "alice-password"));

        assertThat(location.toString()).startsWith(redirectUri + "?");
        Map<String, String> query = query(location);
        assertThat(query).containsEntry("state", state).containsKey("code");
        Tokens tokens = keycloak.exchangeCode("veil-cli", null, query.get("code"), redirectUri, verifier);
        assertThat(tokens.accessClaims().path("preferred_username").asText()).isEqualTo("alice");
        assertThat(audiences(tokens.accessClaims())).contains(GATEWAY);
    }

    @Test
    void veilCliRefusesAuthorizationWithoutPkce() {
        String redirectUri = "http://127.0.0.1:43123/callback";
        String url = keycloak.authorizationEndpoint() + "?" + KeycloakServer.formBody(ordered(
                "response_type", "code", "client_id", "veil-cli", "redirect_uri", redirectUri, "scope", "openid",
                "state", "s1"));

        Map<String, String> query = query(URI.create(keycloak.followAuthorizationUrl(url, "alice", "alice-password")));

        assertThat(query).containsEntry("error", "invalid_request").doesNotContainKey("code");
    }

    @Test
    void veilWebCodeFlowWorksOnLocalhostWithItsSecret() {
        String redirectUri = "http://localhost:" + (20000 + RANDOM.nextInt(40000)) + "/login";
        String state = random();
        String url = keycloak.authorizationEndpoint() + "?" + KeycloakServer.formBody(ordered(
                "response_type", "code", "client_id", "veil-web", "redirect_uri", redirectUri, "scope", "openid",
                "state", state));

        Map<String, String> query = query(URI.create(keycloak.followAuthorizationUrl(url, "carol", "carol-password")));

        assertThat(query).containsEntry("state", state);
        Tokens tokens = keycloak.exchangeCode("veil-web", "veil-web-secret", query.get("code"), redirectUri, null);
        assertThat(strings(tokens.idClaims().path("groups"))).containsExactly("admins");
        assertThat(audiences(tokens.accessClaims())).contains(GATEWAY);
    }

    @Test
    void loginWithAWrongPasswordStopsAtTheFormWithKeycloaksMessage() {
        String url = keycloak.authorizationEndpoint() + "?" + KeycloakServer.formBody(ordered(
                "response_type", "code", "client_id", "veil-web", "redirect_uri", "http://127.0.0.1:43124/login",
                "scope", "openid", "state", "s2"));

        assertThatThrownBy(() -> keycloak.followAuthorizationUrl(url, "carol", "wrong"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("login as carol failed")
                .hasMessageContaining("Invalid username or password");
    }

    /** Polls as RFC 8628 section 3.5 asks: every {@code interval} seconds, five more after each slow_down. */
    private JsonNode pollDeviceTokenUntilDecided(String deviceCode, String verifier, int interval) throws Exception {
        JsonNode response = null;
        for (int attempt = 0; attempt < 10; attempt++) {
            Thread.sleep(interval * 1000L);
            response = pollDeviceToken(deviceCode, verifier);
            String error = response.path("error").asText();
            if (error.equals("slow_down")) {
                interval += 5;
            } else if (!error.equals("authorization_pending")) {
                return response;
            }
        }
        return response;
    }

    private JsonNode pollDeviceToken(String deviceCode, String verifier) throws Exception {
        return postForm(keycloak.tokenEndpoint(), Map.of("grant_type", "urn:ietf:params:oauth:grant-type:device_code",
                "device_code", deviceCode, "client_id", "veil-cli", "code_verifier", verifier));
    }

    private JsonNode postForm(String url, Map<String, String> form) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(KeycloakServer.formBody(form))).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    private List<String> signingKids() {
        List<String> kids = new ArrayList<>();
        for (JsonNode key : keycloak.jwks().path("keys")) {
            if ("sig".equals(key.path("use").asText())) {
                kids.add(key.path("kid").asText());
            }
        }
        return kids;
    }

    /** {@code aud} is a string for one audience and an array for several (RFC 7519 4.1.3). */
    private static List<String> audiences(JsonNode claims) {
        JsonNode aud = claims.path("aud");
        return aud.isArray() ? strings(aud) : List.of(aud.asText());
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asText()));
        return values;
    }

    private static Map<String, String> query(URI uri) {
        return java.util.Arrays.stream(uri.getRawQuery().split("&"))
                .map(pair -> pair.split("=", 2))
                .collect(Collectors.toMap(kv -> kv[0], kv -> URLDecoder.decode(kv.length > 1 ? kv[1] : "", StandardCharsets.UTF_8)));
    }

    private static Map<String, String> ordered(String... keysAndValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    private static String random() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return base64Url(bytes);
    }

    private static String s256(String verifier) throws Exception {
        return base64Url(MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
    }

    private static String base64Url(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
