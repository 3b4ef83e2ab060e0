package dev.veil.cli.login;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.security.SecureRandom;

import static org.assertj.core.api.Assertions.assertThat;

class PkceTest {
    @Test
    void s256ChallengeMatchesTheRfc7636AppendixBExample() {
        assertThat(Pkce.challengeOf("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"))
                .isEqualTo("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    }

    @Test
    void generatedVerifierIs43UnreservedCharactersAndCarriesItsOwnChallenge() {
        Pkce p = Pkce.generate(new SecureRandom());
        assertThat(p.verifier()).hasSize(43).matches("[A-Za-z0-9_-]+");
        assertThat(p.challenge()).isEqualTo(Pkce.challengeOf(p.verifier())).hasSize(43).doesNotContain("=");
        assertThat(Pkce.generate(new SecureRandom()).verifier()).isNotEqualTo(p.verifier());
    }

    @Test
    void authorizationUrlCarriesChallengeStateAndLoopbackRedirect() {
        Pkce p = new Pkce("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        String url = PkceLogin.authorizationUrl(URI.create("https://id.example.com/auth?kc_idp_hint=x"), "veil-cli",
                "openid email", URI.create("http://127.0.0.1:40123/callback"), "st4te", p).toString();
        assertThat(url).startsWith("https://id.example.com/auth?kc_idp_hint=x&response_type=code&client_id=veil-cli")
                .contains("&redirect_uri=http%3A%2F%2F127.0.0.1%3A40123%2Fcallback", "&scope=openid+email", "&state=st4te",
                        "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "&code_challenge_method=S256");
    }
}
