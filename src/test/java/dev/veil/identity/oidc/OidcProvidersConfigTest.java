package dev.veil.identity.oidc;

import dev.veil.testing.TestConfig;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The organisation's provider sits directly under veil.identity.oidc, named ones under veil.identity.oidc.<name>. */
class OidcProvidersConfigTest {
    private static OidcProviders providers(Map<String, String> properties) {
        return new OidcProviders(TestConfig.veil(properties), Clock.systemUTC());
    }

    @Test
    void theDefaultProviderIsConfiguredInFullBesideNamedOnes() {
        OidcProviders providers = providers(Map.of(
                "veil.identity.oidc.issuer", "https://id.example.com/realms/acme/",
                "veil.identity.oidc.audience", "acme-gateway",
                "veil.identity.oidc.role-map.admins", "admin",
                "veil.identity.oidc.partner.issuer", "https://partner.example.com"));
        assertThat(providers.providers()).extracting(ProviderSettings::name).containsExactlyInAnyOrder("default", "partner");
        ProviderSettings acme = providers.providers().stream().filter(p -> p.name().equals(OidcProviders.DEFAULT)).findFirst().orElseThrow();
        assertThat(acme.issuer()).isEqualTo("https://id.example.com/realms/acme");
        assertThat(acme.audiences()).containsExactly("acme-gateway");
        assertThat(acme.roleMap()).containsExactlyEntriesOf(Map.of("admins", "admin"));
        assertThat(acme.userClaims()).containsExactly("email", "preferred_username");
    }

    @Test
    void aNamedProviderWithTheSameIssuerReplacesTheDefaultOne() {
        OidcProviders providers = providers(Map.of(
                "veil.identity.oidc.issuer", "https://id.example.com/realms/acme",
                "veil.identity.oidc.corp.issuer", "https://id.example.com/realms/acme"));
        assertThat(providers.providers()).extracting(ProviderSettings::name).containsExactly("corp");
    }

    @Test
    void withoutAnIssuerTheDefaultProviderIsOff() {
        assertThat(providers(Map.of("veil.identity.oidc.web-client-secret", "s3cret")).any()).isFalse();
        assertThat(providers(Map.of("veil.identity.oidc.issuer", " ")).any()).isFalse();
    }
}
