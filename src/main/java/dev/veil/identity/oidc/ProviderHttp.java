package dev.veil.identity.oidc;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * The HTTP calls Veil makes to an identity provider (discovery and introspection), over the same
 * {@code HttpURLConnection} that jose4j's fetcher uses for the JWKS. Not {@code java.net.http.HttpClient}: the native
 * executable lacks it (NoClassDefFoundError at the first token login). Blocking; callers are on worker threads.
 * Redirects are not followed: discovery, key and introspection URLs must be the provider's own.
 */
final class ProviderHttp {
    /** A provider's documents are small; a larger answer is a misconfigured URL or a hostile server. */
    static final int MAX_BODY = 1 << 20;

    record Answer(int status, String body) {
    }

    private final Duration timeout;

    ProviderHttp(Duration timeout) {
        this.timeout = timeout;
    }

    Answer get(String url, Map<String, String> headers) throws IOException {
        return exchange(url, "GET", headers, null);
    }

    Answer postForm(String url, Map<String, String> headers, String form) throws IOException {
        return exchange(url, "POST", headers, form.getBytes(StandardCharsets.UTF_8));
    }

    private Answer exchange(String url, String method, Map<String, String> headers, byte[] body) throws IOException {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new IOException("not a URL: " + url);
        }
        String scheme = uri.getScheme();
        if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)) {
            throw new IOException("not an http(s) URL: " + url);
        }
        URLConnection opened = uri.toURL().openConnection();
        HttpURLConnection c = (HttpURLConnection) opened;
        try {
            c.setInstanceFollowRedirects(false);
            c.setConnectTimeout((int) timeout.toMillis());
            c.setReadTimeout((int) timeout.toMillis());
            c.setUseCaches(false);
            c.setRequestMethod(method);
            headers.forEach(c::setRequestProperty);
            if (body != null) {
                c.setDoOutput(true);
                c.setFixedLengthStreamingMode(body.length);
                try (OutputStream out = c.getOutputStream()) {
                    out.write(body);
                }
            }
            int status = c.getResponseCode();
            InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
            return new Answer(status, in == null ? "" : read(in));
        } finally {
            c.disconnect();
        }
    }

    private static String read(InputStream in) throws IOException {
        try (in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) >= 0) {
                if (out.size() + n > MAX_BODY) {
                    throw new IOException("answer larger than " + MAX_BODY + " bytes");
                }
                out.write(buf, 0, n);
            }
            return out.toString(StandardCharsets.UTF_8);
        }
    }
}
