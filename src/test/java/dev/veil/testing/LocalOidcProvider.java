package dev.veil.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.lang.JoseException;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small but real OIDC key server for the unit suite: discovery document, JWKS and RFC 7662 introspection over
 * HTTP on loopback, with RSA keys generated per run and tokens signed locally (fast: no identity provider to
 * start). The integration suite uses Keycloak instead.
 */
public final class LocalOidcProvider implements AutoCloseable {
    private static final String PATH = "/realms/test";
    private final HttpServer server;
    private final List<RsaJsonWebKey> published = new CopyOnWriteArrayList<>();
    private final AtomicInteger jwksRequests = new AtomicInteger();
    private final Set<String> revoked = ConcurrentHashMap.newKeySet();
    private volatile RsaJsonWebKey signing;

    public LocalOidcProvider() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(PATH + "/.well-known/openid-configuration", ex -> send(ex, 200, """
                {"issuer":"%1$s","jwks_uri":"%1$s/jwks","introspection_endpoint":"%1$s/introspect",
                 "token_endpoint":"%1$s/token"}""".formatted(issuer())));
        server.createContext(PATH + "/jwks", ex -> {
            jwksRequests.incrementAndGet();
            send(ex, 200, new JsonWebKeySet(List.copyOf(published)).toJson());
        });
        server.createContext(PATH + "/introspect", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String token = java.net.URLDecoder.decode(body.replaceAll("^.*?token=([^&]*).*$", "$1"), StandardCharsets.UTF_8);
            boolean authorized = ex.getRequestHeaders().getFirst("Authorization") != null;
            send(ex, authorized ? 200 : 401, "{\"active\":" + (authorized && !revoked.contains(token)) + "}");
        });
        server.start();
        signing = rotate();
    }

    public String issuer() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + PATH;
    }

    /** A new signing key, published next to the old ones (as providers do when they rotate). */
    public RsaJsonWebKey rotate() {
        try {
            RsaJsonWebKey key = RsaJwkGenerator.generateJwk(2048);
            key.setKeyId("k" + (published.size() + 1));
            key.setAlgorithm(AlgorithmIdentifiers.RSA_USING_SHA256);
            published.add(key);
            signing = key;
            return key;
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A key that signs but is never published (a forger's, or one the provider has not announced yet). */
    public static RsaJsonWebKey unpublishedKey(String kid) {
        try {
            RsaJsonWebKey key = RsaJwkGenerator.generateJwk(2048);
            key.setKeyId(kid);
            return key;
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    public void publish(RsaJsonWebKey key) {
        published.add(key);
    }

    public RsaJsonWebKey signingKey() {
        return signing;
    }

    public int jwksRequests() {
        return jwksRequests.get();
    }

    public void revoke(String token) {
        revoked.add(token);
    }

    /** Claims of a valid token for a user: this issuer, audience veil-gateway, five minutes of life. */
    public JwtClaims claims(String email, String... groups) {
        JwtClaims c = new JwtClaims();
        c.setIssuer(issuer());
        c.setAudience("veil-gateway");
        c.setSubject("sub-" + email);
        c.setClaim("email", email);
        c.setClaim("preferred_username", email.substring(0, email.indexOf('@')));
        c.setClaim("azp", "veil-cli");
        c.setStringListClaim("groups", groups);
        Instant now = Instant.now();
        c.setIssuedAt(org.jose4j.jwt.NumericDate.fromSeconds(now.getEpochSecond()));
        c.setExpirationTime(org.jose4j.jwt.NumericDate.fromSeconds(now.plusSeconds(300).getEpochSecond()));
        return c;
    }

    public String sign(JwtClaims claims) {
        return sign(claims, signing);
    }

    public static String sign(JwtClaims claims, RsaJsonWebKey key) {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(key.getPrivateKey());
        jws.setKeyIdHeaderValue(key.getKeyId());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    public String token(String email, String... groups) {
        return sign(claims(email, groups));
    }

    public Map<String, String> veilProperties(String name) {
        return Map.of("veil.identity.oidc." + name + ".issuer", issuer());
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
