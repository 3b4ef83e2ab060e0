package dev.veil.identity.oidc;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class TokenClaimsTest {
    private static VerifiedToken token(Map<String, Object> claims, Map<String, String> roleMap) {
        ProviderSettings provider = new ProviderSettings("corp", "https://idp.example", Set.of("veil"), Optional.empty(),
                List.of("email"), "groups", roleMap, new LinkedHashSet<>(ProviderSettings.DEFAULT_ALGORITHMS),
                Duration.ofSeconds(30), Optional.empty(), Duration.ofMinutes(60), Duration.ofMinutes(1), Optional.empty(),
                Optional.empty());
        return new VerifiedToken(provider, claims, Instant.parse("2026-11-24T11:00:00Z"), Instant.parse("2026-11-24T10:00:00Z"));
    }

    @Test
    void groupsAreTheRolesClaimsNamesBeforeTheRoleMapWithKeycloakPathsShortened() {
        VerifiedToken t = token(Map.of("groups", List.of("/org/analysts", "admins", "")), Map.of("analysts", "analyst"));
        assertThat(TokenClaims.groups(t)).containsExactly("analysts", "admins");
        assertThat(TokenClaims.roles(t)).containsExactly("analyst");
        assertThat(TokenClaims.groups(token(Map.of("groups", "a, b c"), Map.of()))).containsExactly("a", "b", "c");
        assertThat(TokenClaims.groups(token(Map.of(), Map.of()))).isEmpty();
    }

    @Test
    void claimsBecomePlainValuesWithoutNulls() {
        Map<String, Object> raw = new HashMap<>();
        raw.put("sub", "alice");
        raw.put("age", 41);
        raw.put("ratio", 0.5f);
        raw.put("admin", true);
        raw.put("nothing", null);
        List<Object> list = new ArrayList<>();
        list.add(1);
        list.add(null);
        list.add("x");
        raw.put("list", list);
        raw.put("realm_access", Map.of("roles", List.of("r1")));
        Map<String, Object> plain = TokenClaims.plain(raw);
        assertThat(plain).containsEntry("sub", "alice").containsEntry("age", 41L).containsEntry("ratio", 0.5d)
                .containsEntry("admin", true).containsEntry("list", List.of(1L, "x"))
                .containsEntry("realm_access", Map.of("roles", List.of("r1"))).doesNotContainKey("nothing");
    }

    @Test
    void aClientCredentialsTokenNamesItsClientWithOrWithoutClientId() {
        assertThat(TokenClaims.serviceClient(Map.of("client_id", "bot", "azp", "bot"))).isEqualTo("bot");
        // Keycloak without the service_account scope: no client_id, the subject is its service-account user
        assertThat(TokenClaims.serviceClient(Map.of("azp", "bot", "preferred_username", "service-account-bot"))).isEqualTo("bot");
        assertThat(TokenClaims.serviceClient(Map.of("azp", "veil-cli", "preferred_username", "alice"))).isNull();
        assertThat(TokenClaims.serviceClient(Map.of("client_id", "bot", "email", "alice@example.com"))).isNull();
    }
}
