package dev.veil.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Changes to the running realm through Keycloak's admin REST API, as the bootstrap admin of the master realm
 * (a fresh admin token per change: the master realm's tokens live only a minute).
 */
final class KeycloakAdmin {
    private static final String KEY_PROVIDER_TYPE = "org.keycloak.keys.KeyProvider";

    private final KeycloakServer server;

    KeycloakAdmin(KeycloakServer server) {
        this.server = server;
    }

    String rotateSigningKey() {
        String token = adminToken();
        String realmId = server.getJson(realmUrl(), token).path("id").asText();
        int highest = 0;
        for (JsonNode key : server.getJson(realmUrl() + "/keys", token).path("keys")) {
            highest = Math.max(highest, key.path("providerPriority").asInt());
        }
        ObjectNode component = KeycloakServer.JSON.createObjectNode()
                .put("name", "rsa-rotated-" + (highest + 1))
                .put("providerId", "rsa-generated")
                .put("providerType", KEY_PROVIDER_TYPE)
                .put("parentId", realmId);
        component.set("config", KeycloakServer.JSON.valueToTree(Map.of(
                "priority", List.of(String.valueOf(highest + 1)),
                "enabled", List.of("true"),
                "active", List.of("true"),
                "algorithm", List.of("RS256"),
                "keySize", List.of("2048"))));
        HttpResponse<String> created = server.sendJson("POST", realmUrl() + "/components", component, token);
        KeycloakServer.expect(created, 201, "creating a signing key");
        String location = created.headers().firstValue("Location")
                .orElseThrow(() -> new IllegalStateException("no Location for the new key provider"));
        String componentId = location.substring(location.lastIndexOf('/') + 1);
        for (JsonNode key : server.getJson(realmUrl() + "/keys", token).path("keys")) {
            if (componentId.equals(key.path("providerId").asText()) && "SIG".equals(key.path("use").asText())) {
                return key.path("kid").asText();
            }
        }
        throw new IllegalStateException("the new key provider " + componentId + " published no signing key");
    }

    void disableSigningKey(String kid) {
        String token = adminToken();
        String componentId = null;
        for (JsonNode key : server.getJson(realmUrl() + "/keys", token).path("keys")) {
            if (kid.equals(key.path("kid").asText())) {
                componentId = key.path("providerId").asText();
            }
        }
        if (componentId == null) {
            throw new IllegalArgumentException("the realm has no key " + kid);
        }
        String url = realmUrl() + "/components/" + componentId;
        ObjectNode component = (ObjectNode) server.getJson(url, token);
        ((ObjectNode) component.path("config")).set("enabled", KeycloakServer.JSON.valueToTree(List.of("false")));
        KeycloakServer.expect(server.sendJson("PUT", url, component, token), 204, "disabling key " + kid);
    }

    void setUserEnabled(String username, boolean enabled) {
        String token = adminToken();
        String url = realmUrl() + "/users/" + userId(username, token);
        // The whole representation goes back: a partial one can fail the realm's user-profile validation.
        ObjectNode user = (ObjectNode) server.getJson(url, token);
        user.put("enabled", enabled);
        KeycloakServer.expect(server.sendJson("PUT", url, user, token), 204, (enabled ? "enabling " : "disabling ") + username);
    }

    void logoutUser(String username) {
        String token = adminToken();
        String url = realmUrl() + "/users/" + userId(username, token) + "/logout";
        KeycloakServer.expect(server.sendJson("POST", url, null, token), 204, "logging out " + username);
    }

    int setAccessTokenLifespan(int seconds) {
        String token = adminToken();
        int previous = server.getJson(realmUrl(), token).path("accessTokenLifespan").asInt();
        ObjectNode change = KeycloakServer.JSON.createObjectNode().put("accessTokenLifespan", seconds);
        KeycloakServer.expect(server.sendJson("PUT", realmUrl(), change, token), 204, "setting the access token lifespan");
        return previous;
    }

    private String userId(String username, String token) {
        JsonNode users = server.getJson(realmUrl() + "/users?exact=true&username="
                + URLEncoder.encode(username, StandardCharsets.UTF_8), token);
        if (users.size() != 1) {
            throw new IllegalArgumentException("realm " + KeycloakServer.REALM + " has no user " + username);
        }
        return users.get(0).path("id").asText();
    }

    private String realmUrl() {
        return server.baseUrl() + "/admin/realms/" + KeycloakServer.REALM;
    }

    private String adminToken() {
        HttpResponse<String> response = server.postForm(server.baseUrl() + "/realms/master/protocol/openid-connect/token",
                Map.of("grant_type", "password", "client_id", "admin-cli",
                        "username", KeycloakServer.ADMIN_USER, "password", KeycloakServer.ADMIN_PASSWORD), null);
        return KeycloakServer.json(KeycloakServer.expect(response, 200, "admin login")).path("access_token").asText();
    }
}
