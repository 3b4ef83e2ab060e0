package dev.veil.approval;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import org.jboss.logging.Logger;

import java.net.URI;

/**
 * A JSON POST of a notification, in the background on Vert.x's HTTP client (the gateway keeps off java.net.http,
 * which the native executable lacks). A failure is logged and changes nothing: the request is in the table and the
 * console shows it.
 */
final class JsonPost {
    private static final Logger LOG = Logger.getLogger(JsonPost.class);
    private static final int CONNECT_TIMEOUT_MS = 5_000;
    private static final long REQUEST_TIMEOUT_MS = 10_000;

    private final URI url;
    private final String what;
    private final HttpClient http;

    /** {@code what} names the target in the log: "the webhook", "the Slack webhook". */
    JsonPost(Vertx vertx, URI url, String what) {
        this.url = url;
        this.what = what;
        this.http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(CONNECT_TIMEOUT_MS)
                .setSsl("https".equalsIgnoreCase(url.getScheme())));
    }

    void send(String id, JsonObject body) {
        RequestOptions post = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url.toString())
                .setTimeout(REQUEST_TIMEOUT_MS).putHeader("Content-Type", "application/json");
        // The URL is not logged: a Slack webhook URL is itself the credential to post to the channel.
        http.request(post).compose(req -> req.send(body.toBuffer())).onComplete(ar -> {
            if (ar.failed()) {
                LOG.warnf("approval %s: %s (%s) could not be reached: %s", id, what, url.getHost(), ar.cause().toString());
            } else if (ar.result().statusCode() / 100 != 2) {
                LOG.warnf("approval %s: %s (%s) answered %d", id, what, url.getHost(), ar.result().statusCode());
            }
        });
    }
}
