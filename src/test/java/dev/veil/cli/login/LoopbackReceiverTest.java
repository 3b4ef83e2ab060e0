package dev.veil.cli.login;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LoopbackReceiverTest {
    private static HttpResponse<String> get(URI uri) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void listensOnTheLoopbackIpAndReturnsTheRedirectsParameters() throws Exception {
        try (LoopbackReceiver r = new LoopbackReceiver("s1")) {
            assertThat(r.redirectUri().toString()).matches("http://127\\.0\\.0\\.1:\\d+/callback");
            assertThat(get(r.redirectUri().resolve("/favicon.ico")).statusCode()).isEqualTo(404);
            HttpResponse<String> page = get(URI.create(r.redirectUri() + "?code=abc%2Fdef&state=s1&session_state=x"));
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("Signed in to Veil");
            assertThat(r.await(Duration.ofSeconds(5))).containsEntry("code", "abc/def").containsEntry("state", "s1");
        }
    }

    @Test
    void aResponseWithAnotherStateFailsTheSignIn() throws Exception {
        try (LoopbackReceiver r = new LoopbackReceiver("expected")) {
            assertThat(get(URI.create(r.redirectUri() + "?code=abc&state=forged")).statusCode()).isEqualTo(400);
            assertThatThrownBy(() -> r.await(Duration.ofSeconds(5))).isInstanceOf(LoginException.class)
                    .hasMessageContaining("wrong state");
        }
    }

    @Test
    void waitingEndsWithAMessageWhenNoResponseArrives() {
        try (LoopbackReceiver r = new LoopbackReceiver("s")) {
            assertThatThrownBy(() -> r.await(Duration.ofMillis(50))).isInstanceOf(LoginException.class)
                    .hasMessageStartingWith("no sign-in response arrived");
        }
    }
}
