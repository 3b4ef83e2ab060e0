package dev.veil.admin;

import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** Without an identity provider the application starts as before and /login says it is not configured. */
@Tag("servers")
@QuarkusTest
@QuarkusTestResource(VeilTestResource.class)
class LoginPageOffTest {
    @TestHTTPResource("/login")
    URI login;

    @Test
    void loginAnswers404SayingNoProviderIsConfigured() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(login).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).contains("Sign-in is not configured", "no identity provider is configured (VEIL_IDENTITY_OIDC_ISSUER / veil.identity.oidc.issuer)");
    }
}
