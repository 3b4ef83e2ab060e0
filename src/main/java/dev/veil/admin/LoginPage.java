package dev.veil.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.config.VeilConfig;
import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.security.UnauthorizedException;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.json.JsonString;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * {@code GET /login}: signs the user in at the identity provider (authorization code flow through
 * quarkus-oidc, tenant {@link LoginTenant}) and shows who they are, ready-to-copy connection strings for Veil's
 * listeners, and the access token quarkus-oidc obtained, to paste as the password. Without an identity
 * provider configured the page answers 404 and says so.
 */
@Path(LoginTenant.PATH)
public class LoginPage {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LoginTenant tenant;
    private final SecurityIdentity identity;
    private final VeilConfig config;

    public LoginPage(LoginTenant tenant, SecurityIdentity identity, VeilConfig config) {
        this.tenant = tenant;
        this.identity = identity;
        this.config = config;
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public Response page(@HeaderParam("Host") String hostHeader) {
        if (!tenant.enabled()) {
            return html(404, "Sign-in is not configured", "<p>The <code>/login</code> page is off: "
                    + esc(tenant.missing()) + ".</p>");
        }
        if (identity.isAnonymous()) {
            // quarkus-oidc answers with its challenge: the redirect to the provider's sign-in page
            throw new UnauthorizedException();
        }
        AccessTokenCredential access = identity.getCredential(AccessTokenCredential.class);
        if (access == null) {
            throw new UnauthorizedException();
        }
        return html(200, "Signed in to Veil", body(access.getToken(), hostHeader));
    }

    private String body(String token, String hostHeader) {
        JsonNode accessClaims = claims(token);
        String email = claim("email", accessClaims).orElse(null);
        String user = Optional.ofNullable(email).or(() -> claim("preferred_username", accessClaims))
                .orElse(identity.getPrincipal().getName());
        List<String> groups = groups(accessClaims);
        String host = publicHost(config.pg().host(), hostHeader);
        String database = config.pg().defaultUpstream().map(u -> config.upstreams().get(u))
                .map(VeilConfig.Upstream::database).orElse(null);

        StringBuilder b = new StringBuilder();
        b.append("<h2>Who</h2><dl><dt>User name</dt><dd id=\"user\">").append(esc(user)).append("</dd>");
        if (email != null) {
            b.append("<dt>Email</dt><dd id=\"email\">").append(esc(email)).append("</dd>");
        }
        b.append("<dt>Groups</dt><dd id=\"groups\">").append(groups.isEmpty() ? "(none)" : esc(String.join(", ", groups))).append("</dd></dl>");

        b.append("<h2>Password: your access token</h2>");
        b.append("<p>Paste it as the password. It expires ").append(expiry(accessClaims)).append("; reload this page for a fresh one.</p>");
        b.append("<textarea id=\"token\" readonly rows=\"6\" cols=\"100\">").append(esc(token)).append("</textarea>");
        b.append("<p><button onclick=\"navigator.clipboard.writeText(document.getElementById('token').value)\">Copy token</button></p>");

        b.append("<h2>Connect</h2>");
        String libpq = "host=" + host + " port=" + config.pg().port() + " user=" + user
                + (database == null ? "" : " dbname=" + database) + " sslmode=require";
        block(b, "psql", "PGPASSWORD='<token>' psql \"" + libpq + "\"");
        block(b, "jdbc", "jdbc:postgresql://" + host + ":" + config.pg().port() + "/" + (database == null ? "" : database)
                + "?user=" + URLEncoder.encode(user, StandardCharsets.UTF_8) + "&sslmode=require");
        if (config.mysql().enabled()) {
            block(b, "mysql", "mysql --host=" + publicHost(config.mysql().host(), hostHeader) + " --port=" + config.mysql().port()
                    + " --user=" + user + " --enable-cleartext-plugin --ssl-mode=REQUIRED -p");
        }
        b.append("<p>From a terminal, <code>eval \"$(veil login").append(tenant.issuer().map(i -> " --issuer " + i).orElse(""))
                .append(" --host ").append(esc(host)).append(")\"</code> sets these up for <code>psql</code>.</p>");
        return b.toString();
    }

    private static void block(StringBuilder b, String id, String text) {
        b.append("<pre id=\"").append(id).append("\">").append(esc(text)).append("</pre>");
    }

    /** A listener bound to every interface is reached by the name the browser used for this page. */
    static String publicHost(String bound, String hostHeader) {
        if (!(bound.equals("0.0.0.0") || bound.equals("::") || bound.equals("[::]")) || hostHeader == null || hostHeader.isBlank()) {
            return bound;
        }
        String h = hostHeader.strip();
        if (h.startsWith("[")) {
            return h.substring(0, h.indexOf(']') + 1);
        }
        int colon = h.lastIndexOf(':');
        return colon < 0 ? h : h.substring(0, colon);
    }

    private Optional<String> claim(String name, JsonNode accessClaims) {
        if (accessClaims.hasNonNull(name) && accessClaims.get(name).isTextual()) {
            return Optional.of(accessClaims.get(name).asText());
        }
        if (identity.getPrincipal() instanceof JsonWebToken id && id.containsClaim(name)) {
            Object v = id.getClaim(name);
            return Optional.of(v instanceof JsonString js ? js.getString() : String.valueOf(v));
        }
        return Optional.empty();
    }

    private List<String> groups(JsonNode accessClaims) {
        List<String> groups = new ArrayList<>();
        if (accessClaims.path("groups").isArray()) {
            accessClaims.get("groups").forEach(g -> groups.add(g.asText()));
        } else if (identity.getPrincipal() instanceof JsonWebToken id && id.getGroups() != null) {
            groups.addAll(id.getGroups());
        } else {
            Collection<String> roles = identity.getRoles();
            groups.addAll(roles);
        }
        return groups;
    }

    private static String expiry(JsonNode accessClaims) {
        return accessClaims.path("exp").canConvertToLong() ? "at " + Instant.ofEpochSecond(accessClaims.get("exp").asLong()) : "soon";
    }

    /** The access token's payload, read for display only (the gateway verifies the token when it is used). */
    private static JsonNode claims(String token) {
        String[] parts = token.split("\\.");
        if (parts.length == 3) {
            try {
                JsonNode n = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
                if (n != null && n.isObject()) {
                    return n;
                }
            } catch (Exception opaqueToken) {
                // not a JWT: claims come from the ID token
            }
        }
        return JSON.createObjectNode();
    }

    private static Response html(int status, String title, String body) {
        String page = "<!doctype html><html><head><meta charset=\"utf-8\"><title>" + esc(title) + "</title>"
                + "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}pre,textarea{background:#f4f4f4;padding:.5em;"
                + "white-space:pre-wrap;word-break:break-all}</style></head><body><h1>" + esc(title) + "</h1>" + body + "</body></html>";
        // The page carries a bearer token: never cached, never sent on as a referrer.
        return Response.status(status).type("text/html; charset=utf-8").entity(page)
                .header("Cache-Control", "no-store").header("Referrer-Policy", "no-referrer").build();
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&#39;");
    }
}
