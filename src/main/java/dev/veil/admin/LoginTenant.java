package dev.veil.admin;

import dev.veil.config.VeilConfig;
import io.quarkus.oidc.OidcRequestContext;
import io.quarkus.oidc.OidcTenantConfig;
import io.quarkus.oidc.TenantConfigResolver;
import io.quarkus.oidc.runtime.OidcTenantConfig.ApplicationType;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Optional;

/**
 * The OIDC tenant of the {@code /login} page: an authorization-code (web-app) tenant built from Veil's own
 * settings, and only for {@code /login}. Static {@code quarkus.oidc.*} properties cannot say "off while no
 * issuer is set" (quarkus-oidc refuses to start a tenant without auth-server-url), so the default tenant is
 * disabled in application.properties and this resolver supplies the tenant when, and only when, it is
 * configured (veil.identity.oidc.issuer and veil.identity.oidc.web-client-secret). The web console's single sign-on
 * ({@code /console/sso}) gets the same client as a tenant of its own, whose cookies travel only to that path. Every
 * other path (admin API, health, metrics, the rest of the console) resolves to no tenant and is left alone.
 */
@ApplicationScoped
public class LoginTenant implements TenantConfigResolver {
    static final String TENANT_ID = "veil-login";
    static final String PATH = "/login";
    static final String CONSOLE_TENANT_ID = "veil-console";
    /** The web console's SSO entry (dev.veil.console); the console keeps its own session cookie after it. */
    public static final String CONSOLE_SSO_PATH = "/console/sso";

    private final Optional<String> issuer;
    private final String clientId;
    private final Optional<String> secret;
    private final OidcTenantConfig tenant;
    private final OidcTenantConfig consoleTenant;

    public LoginTenant(VeilConfig config) {
        Optional<VeilConfig.OidcProvider> provider = config.identity().defaultProvider();
        this.issuer = provider.flatMap(VeilConfig.OidcProvider::issuer);
        this.clientId = provider.map(VeilConfig.OidcProvider::webClientId).orElse(null);
        this.secret = provider.flatMap(VeilConfig.OidcProvider::webClientSecret).filter(s -> !s.isBlank());
        this.tenant = enabled() ? build(TENANT_ID, PATH, this.issuer.get(), clientId, this.secret.get()) : null;
        this.consoleTenant = enabled() ? build(CONSOLE_TENANT_ID, CONSOLE_SSO_PATH, this.issuer.get(), clientId, this.secret.get()) : null;
    }

    /** The page needs the default provider (VEIL_IDENTITY_OIDC_ISSUER) and a confidential client's secret. */
    public boolean enabled() {
        return issuer.isPresent() && secret.isPresent();
    }

    /** Why the page is off, for the page itself. */
    public String missing() {
        if (issuer.isEmpty()) {
            return "no identity provider is configured (VEIL_IDENTITY_OIDC_ISSUER / veil.identity.oidc.issuer)";
        }
        return "the web client's secret is not configured (VEIL_IDENTITY_OIDC_WEB_CLIENT_SECRET / veil.identity.oidc.web-client-secret for client "
                + clientId + ")";
    }

    public Optional<String> issuer() {
        return issuer;
    }

    static boolean covers(String path) {
        return path.equals(PATH) || path.startsWith(PATH + "/");
    }

    @Override
    public Uni<OidcTenantConfig> resolve(RoutingContext context, OidcRequestContext<OidcTenantConfig> requestContext) {
        if (tenant == null) {
            return Uni.createFrom().nullItem();
        }
        String path = context.normalizedPath();
        if (covers(path)) {
            return Uni.createFrom().item(tenant);
        }
        return path.equals(CONSOLE_SSO_PATH) ? Uni.createFrom().item(consoleTenant) : Uni.createFrom().nullItem();
    }

    private static OidcTenantConfig build(String tenantId, String path, String issuer, String clientId, String secret) {
        return OidcTenantConfig.authServerUrl(issuer)
                .tenantId(tenantId)
                .applicationType(ApplicationType.WEB_APP)
                .clientId(clientId)
                .credentials(secret)
                .authentication()
                    .scopes("email", "profile")
                    // the session cookies travel only to this page, never to the admin API
                    .cookiePath(path)
                    .end()
                .token()
                    // revisiting the page after the access token expired fetches a fresh one with the refresh token
                    .refreshExpired(true)
                    .end()
                .build();
    }
}
