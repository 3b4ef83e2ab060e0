package dev.veil.cli.login;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * {@code tokens.json} under Veil's configuration directory: one entry per issuer and client, so signing in
 * to two providers keeps both. The directory is 0700, the file 0600. An unreadable file counts as empty:
 * tokens can always be obtained again.
 */
public class TokenStore {
    private final Path file;
    private final ObjectMapper json = new ObjectMapper();

    public TokenStore(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    public static String key(String issuer, String clientId) {
        return OidcDiscovery.strip(issuer) + " " + clientId;
    }

    public Optional<TokenSet> load(String key) {
        JsonNode e = read().get(key);
        if (e == null || !e.isObject() || !e.hasNonNull("access_token")) {
            return Optional.empty();
        }
        return Optional.of(new TokenSet(e.get("access_token").asText(), text(e, "refresh_token"), text(e, "id_token"),
                Instant.ofEpochSecond(e.path("expires_at").asLong(0)),
                e.hasNonNull("refresh_expires_at") ? Instant.ofEpochSecond(e.get("refresh_expires_at").asLong()) : null,
                text(e, "scope")));
    }

    public void save(String key, TokenSet t) {
        ObjectNode all = read();
        ObjectNode e = all.putObject(key);
        e.put("access_token", t.accessToken());
        e.put("refresh_token", t.refreshToken());
        e.put("id_token", t.idToken());
        e.put("expires_at", t.expiresAt().getEpochSecond());
        if (t.refreshExpiresAt() == null) {
            e.putNull("refresh_expires_at");
        } else {
            e.put("refresh_expires_at", t.refreshExpiresAt().getEpochSecond());
        }
        e.put("scope", t.scope());
        write(all);
    }

    public void remove(String key) {
        ObjectNode all = read();
        if (all.remove(key) != null) {
            write(all);
        }
    }

    private ObjectNode read() {
        if (!Files.isRegularFile(file)) {
            return json.createObjectNode();
        }
        try {
            JsonNode n = json.readTree(file.toFile());
            return n instanceof ObjectNode o ? o : json.createObjectNode();
        } catch (IOException e) {
            return json.createObjectNode();
        }
    }

    private void write(ObjectNode all) {
        try {
            PrivateFiles.directory(file.toAbsolutePath().getParent());
            PrivateFiles.write(file, json.writerWithDefaultPrettyPrinter().writeValueAsString(all) + "\n");
        } catch (IOException e) {
            throw new LoginException("cannot write the token store " + file + ": " + e.getMessage());
        }
    }

    private static String text(JsonNode e, String field) {
        return e.hasNonNull(field) ? e.get(field).asText() : null;
    }
}
