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

@Tag("servers")
@QuarkusTest
@QuarkusTestResource(VeilTestResource.class)
class ReadinessTest {
    @TestHTTPResource("/q/health/ready")
    URI ready;

    @Test
    void readyOnceThePostgresListenerIsUp() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(ready)
                .header("Authorization", VeilTestResource.adminAuthorization()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"status\": \"UP\"").contains("listener.postgresql");
    }

    @Test
    void reportsThatNoPolicyFileIsLoadedWhenNoneIsConfigured() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(ready)
                .header("Authorization", VeilTestResource.adminAuthorization()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.body()).contains("\"veil-policy\"").contains("\"loaded\": false")
                .contains("none: veil.policy.file is not set; built-in rules only, everything else is allowed");
    }
}
