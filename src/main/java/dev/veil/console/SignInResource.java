package dev.veil.console;

import dev.veil.admin.LoginTenant;
import dev.veil.config.VeilConfig;
import dev.veil.demo.DemoMode;
import dev.veil.identity.AuthErrors;
import dev.veil.identity.AuthenticationFailure;
import dev.veil.identity.Authenticator;
import dev.veil.identity.Identity;
import dev.veil.identity.LoginThrottle;
import dev.veil.session.SessionAuditor;
import dev.veil.identity.oidc.OidcProviders;
import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.oidc.IdTokenCredential;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.UnauthorizedException;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * Signing in to the console and out of it. Single sign-on goes through quarkus-oidc's authorization-code flow
 * ({@code /console/sso}, the web client of {@link LoginTenant}); the access token it obtains is checked exactly as
 * a database login's token is ({@link Authenticator#bearer}), so the console sees the same identity and roles.
 * Local accounts sign in on the console's own form (in demo mode, or without an identity provider, or when
 * veil.console.local-sign-in says so): after the login throttle, checked by {@link Authenticator#check}, a refused
 * password recorded as {@code auth.failed} (protocol http) as the admin API does. Sign-in and sign-out are
 * {@code admin.action} records ({@code console.signin}, {@code console.signout}); a sign-in refused for lack of
 * role too, with ok=false. Both ways honour {@code ?next=} (a console page only). Signing out of a single sign-on
 * ends the session at the identity provider too (OpenID Connect RP-Initiated Logout: its end_session_endpoint with
 * the ID token as id_token_hint, back to the sign-in page), so /console/sso asks for the password again.
 */
@Path("/console")
public class SignInResource {
    static final String SIGN_IN_COOKIE = "veil-console-signin";
    private static final String PROTOCOL = "http";

    private final ConsoleSessions sessions;
    private final ConsoleGate gate;
    private final ConsoleActions actions;
    private final Authenticator authenticator;
    private final SessionAuditor auditor;
    private final LoginThrottle throttle;
    private final LoginTenant tenant;
    private final SecurityIdentity identity;
    private final OidcProviders providers;
    private final boolean local;

    @Inject
    @Location("console/signin")
    Template signin;

    @Inject
    @Location("console/signedout")
    Template signedout;

    public SignInResource(ConsoleSessions sessions, ConsoleGate gate, ConsoleActions actions, Authenticator authenticator,
                          SessionAuditor auditor, LoginThrottle throttle, LoginTenant tenant, SecurityIdentity identity,
                          OidcProviders providers, VeilConfig config, DemoMode demo) {
        this.sessions = sessions;
        this.gate = gate;
        this.actions = actions;
        this.authenticator = authenticator;
        this.auditor = auditor;
        this.throttle = throttle;
        this.tenant = tenant;
        this.identity = identity;
        this.providers = providers;
        this.local = config.console().localSignIn().orElseGet(() -> !tenant.enabled() || demo.enabled());
    }

    @GET
    public Response home() {
        return Response.seeOther(URI.create("/console/audit")).build();
    }

    @GET
    @Path("signin")
    @Produces(MediaType.TEXT_HTML)
    public Response form(@CookieParam(ConsoleSessions.COOKIE) String token, @QueryParam("next") String next,
                         @Context HttpServerRequest http) {
        if (sessions.find(token).isPresent()) {
            return Response.seeOther(URI.create(next(next))).build();
        }
        return signInPage(200, null, http, next);
    }

    @POST
    @Path("signin")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    public Uni<Response> signIn(@FormParam("user") String user, @FormParam("password") String password,
                                @FormParam("csrf") String csrf, @CookieParam(SIGN_IN_COOKIE) String expected,
                                @FormParam("next") String next, @Context HttpServerRequest http) {
        if (!local) {
            return Uni.createFrom().item(signInPage(404, "Sign-in with a local account is off here: use single sign-on.", http));
        }
        if (!ConsoleSessions.sameToken(expected, csrf)) {
            return Uni.createFrom().item(signInPage(403, "The sign-in form was stale or came from another site: try again.", http));
        }
        if (user == null || user.isBlank() || password == null || password.isEmpty()) {
            return Uni.createFrom().item(signInPage(400, "Enter a user name and a password.", http));
        }
        String address = address(http);
        boolean https = http.isSSL();
        // The throttle's wait is a timer, not a thread: only the check itself (SCRAM) runs on a worker.
        return Uni.createFrom().completionStage(authenticator.admit(address, user).toCompletionStage())
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .map(v -> checkPassword(user.strip(), password, address, https, http, next));
    }

    private Response checkPassword(String user, String password, String address, boolean https, HttpServerRequest http,
                                   String next) {
        Identity who;
        try {
            who = authenticator.check(user, password);
        } catch (AuthenticationFailure f) {
            auditor.authenticationFailed(PROTOCOL, user, address, https, AuthErrors.toVeil(f));
            return signInPage(401, "The user name or password was not accepted.", http, next);
        }
        throttle.succeeded(address, who.name());
        return admitted(who, "local", https, next);
    }

    /**
     * Single sign-on: quarkus-oidc sends the browser to the identity provider and back here with a session (to this
     * very URL, {@code ?next=} included: the tenant has no redirect-path, so quarkus-oidc restores the original one).
     */
    @GET
    @Path("sso")
    @Produces(MediaType.TEXT_HTML)
    public Response sso(@QueryParam("next") String next, @Context HttpServerRequest http) {
        if (!tenant.enabled()) {
            return signInPage(404, "Single sign-on is not configured: " + tenant.missing() + ".", http);
        }
        AccessTokenCredential access = identity.isAnonymous() ? null : identity.getCredential(AccessTokenCredential.class);
        if (access == null) {
            // quarkus-oidc answers with its challenge: the redirect to the provider's sign-in page
            throw new UnauthorizedException();
        }
        Identity who;
        try {
            who = authenticator.bearer(access.getToken());
        } catch (AuthenticationFailure f) {
            auditor.authenticationFailed(PROTOCOL, identity.getPrincipal().getName(), address(http), http.isSSL(), AuthErrors.toVeil(f));
            return gate.refusal(null, "The identity provider signed you in, but Veil does not accept its token: "
                    + f.getMessage() + ". Check veil.identity.oidc (audience, user claims).");
        }
        IdTokenCredential id = identity.getCredential(IdTokenCredential.class);
        Response.ResponseBuilder r = admitted(who, "sso", http.isSSL(), next, id == null ? null : id.getToken());
        // The console keeps its own sign-in from here on. quarkus-oidc's session cookie would otherwise sign this
        // browser straight back in at /console/sso after a sign-out, without asking the identity provider.
        for (Cookie c : http.cookies()) {
            if (c.getName().startsWith("q_session")) {
                r.header("Set-Cookie", ConsoleSessions.clear(c.getName(), LoginTenant.CONSOLE_SSO_PATH));
            }
        }
        return r.build();
    }

    private Response admitted(Identity who, String via, boolean https, String next) {
        return admitted(who, via, https, next, null).build();
    }

    private Response.ResponseBuilder admitted(Identity who, String via, boolean https, String next, String idToken) {
        var access = ConsoleAccess.of(who.roles());
        if (access.isEmpty()) {
            String why = ConsoleAccess.refusal(who.name(), who.roles());
            actions.record(who.name(), "console.signin", "/console/signin", Map.of("via", via, "refused", why), false);
            return Response.fromResponse(gate.refusal(null, why));
        }
        actions.record(who.name(), "console.signin", "/console/signin", Map.of("via", via, "access", access.get().role()), true);
        String token = sessions.open(who, access.get(), via, idToken);
        return Response.seeOther(URI.create(next(next)))
                .header("Set-Cookie", ConsoleSessions.cookie(ConsoleSessions.COOKIE, token, ConsoleSessions.PATH, https))
                .header("Set-Cookie", ConsoleSessions.clear(SIGN_IN_COOKIE, ConsoleGate.SIGN_IN));
    }

    /**
     * Ends the sign-in on every Veil instance; after a single sign-on, the provider's session too. That last step is
     * a page that moves on by itself (Refresh) rather than a redirect: the console's Content-Security-Policy has
     * form-action 'self', and browsers apply it to the redirects that follow a form's POST.
     */
    @POST
    @Path("signout")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    public Response signOut(@CookieParam(ConsoleSessions.COOKIE) String token, @FormParam("csrf") String csrf,
                            @Context HttpServerRequest http) {
        ConsoleUser u = gate.actor(token, csrf, false);
        boolean provider = "sso".equals(u.via()) && tenant.enabled();
        actions.record(u.name(), "console.signout", "/console/signout",
                provider ? Map.of("via", u.via(), "provider", "end-session") : Map.of("via", u.via()), true);
        Optional<ConsoleSessions.Ended> ended = sessions.close(token);
        String clear = ConsoleSessions.clear(ConsoleSessions.COOKIE, ConsoleSessions.PATH);
        String idToken = ended.map(ConsoleSessions.Ended::idToken).orElse(null);
        if (!provider || idToken == null) {
            return Response.seeOther(URI.create(ConsoleGate.SIGN_IN)).header("Set-Cookie", clear).build();
        }
        String problem = null;
        String endSession = null;
        try {
            endSession = providers.endSessionEndpoint(tenant.issuer().orElseThrow()).orElse(null);
            if (endSession == null) {
                problem = "The identity provider names no end_session_endpoint in its discovery document, so its own "
                        + "session goes on: sign out there too, or the next single sign-on will not ask for a password.";
            }
        } catch (AuthenticationFailure f) {
            problem = "The identity provider could not be reached to end its session (" + f.getMessage()
                    + "): sign out there too, or the next single sign-on will not ask for a password.";
        }
        TemplateInstance page = ConsoleGate.page(signedout, null, "", "Signed out").data("problem", problem);
        Response.ResponseBuilder r = Response.ok().type("text/html; charset=utf-8").header("Set-Cookie", clear);
        if (endSession != null) {
            String url = endSessionUrl(endSession, idToken, ownOrigin(http) + ConsoleGate.SIGN_IN);
            page.data("endSession", url);
            r.header("Refresh", "0; url=" + url);
        }
        return r.entity(page.render()).build();
    }

    /** RP-Initiated Logout 1.0 §2: the provider checks the hint's signature and the registered redirect. */
    static String endSessionUrl(String endpoint, String idToken, String postLogout) {
        return endpoint + (endpoint.contains("?") ? "&" : "?") + "id_token_hint=" + enc(idToken)
                + "&post_logout_redirect_uri=" + enc(postLogout);
    }

    private static String ownOrigin(HttpServerRequest http) {
        URI self = URI.create(http.absoluteURI());
        return self.getScheme() + "://" + self.getRawAuthority();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** The sign-in page, with a fresh token for its form in a cookie only that path gets back. */
    private Response signInPage(int status, String error, HttpServerRequest http) {
        return signInPage(status, error, http, null);
    }

    /**
     * Where to go after signing in: {@code next} when it is a console page of this origin (an approve / deny link
     * sends its approver here and back), else the audit page. Anything else is ignored: no open redirect.
     */
    static String next(String next) {
        if (next == null || !next.startsWith(ConsoleSessions.PATH + "/") || next.startsWith("//") || next.contains("\\")
                || next.contains("..") || next.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            return "/console/audit";
        }
        return next;
    }

    private Response signInPage(int status, String error, HttpServerRequest http, String next) {
        String csrf = sessions.token();
        String kept = next == null ? null : next(next);
        String html = ConsoleGate.page(signin, null, "", "Sign in").data("sso", tenant.enabled()).data("local", local)
                .data("csrf", csrf).data("error", error).data("next", kept)
                .data("ssoHref", LoginTenant.CONSOLE_SSO_PATH + (kept == null ? "" : "?next=" + enc(kept))).render();
        return Response.status(status).type("text/html; charset=utf-8").entity(html)
                .header("Set-Cookie", ConsoleSessions.cookie(SIGN_IN_COOKIE, csrf, ConsoleGate.SIGN_IN, http.isSSL())).build();
    }

    static String address(HttpServerRequest request) {
        return request == null || request.remoteAddress() == null ? null : request.remoteAddress().host();
    }
}
