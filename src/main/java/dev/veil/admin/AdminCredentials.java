package dev.veil.admin;

import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;
import dev.veil.identity.AuthErrors;
import dev.veil.identity.AuthenticationFailure;
import dev.veil.identity.Authenticator;
import dev.veil.identity.Identity;
import dev.veil.identity.LoginThrottle;
import dev.veil.session.SessionAuditor;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * Who calls the admin API: HTTP Basic with an account Veil holds (or a token as the password), or
 * {@code Authorization: Bearer <OIDC access token>} checked exactly as a database login is. Every credential
 * that does not authenticate is an {@code auth.failed} record (protocol {@code http}, under the same per-address
 * limit as the wires) and counts for the login throttle, which {@link AdminLoginGate} applies before the request
 * gets here. Blocking (JAX-RS methods run on worker threads).
 */
@ApplicationScoped
public class AdminCredentials {
    public static final String CHALLENGE = "Basic realm=\"veil\", charset=\"UTF-8\"";
    static final String PROTOCOL = "http";

    private final Authenticator authenticator;
    private final SessionAuditor auditor;
    private final LoginThrottle throttle;

    public AdminCredentials(Authenticator authenticator, SessionAuditor auditor, LoginThrottle throttle) {
        this.authenticator = authenticator;
        this.auditor = auditor;
        this.throttle = throttle;
    }

    /** Empty without an Authorization header (the caller answers 401 with the challenge) or when it fails. */
    public Optional<Identity> authenticate(String header, HttpServerRequest request) {
        if (header == null) {
            return Optional.empty();
        }
        String address = address(request);
        boolean tls = request != null && request.isSSL();
        String user = basicUser(header);
        try {
            Identity who;
            if (header.regionMatches(true, 0, "Bearer ", 0, 7)) {
                who = authenticator.bearer(header.substring(7).trim());
            } else if (user == null) {
                auditor.authenticationFailed(PROTOCOL, null, address, tls, VeilException.fatal(ErrorCode.INVALID_AUTHORIZATION,
                        header.regionMatches(true, 0, "Basic ", 0, 6) ? "malformed Basic credentials: expected base64 of user:password"
                                : "the Authorization header is neither Basic nor Bearer"));
                return Optional.empty();
            } else {
                String decoded = decode(header);
                who = authenticator.check(user, decoded.substring(decoded.indexOf(':') + 1));
            }
            throttle.succeeded(address, who.name());
            return Optional.of(who);
        } catch (AuthenticationFailure f) {
            auditor.authenticationFailed(PROTOCOL, user, address, tls, AuthErrors.toVeil(f));
            return Optional.empty();
        }
    }

    /** The user of Basic credentials; null for any other header, or one that is not base64 of user:password. */
    static String basicUser(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        String decoded = decode(header);
        int colon = decoded == null ? -1 : decoded.indexOf(':');
        return colon < 0 ? null : decoded.substring(0, colon);
    }

    private static String decode(String basicHeader) {
        try {
            return new String(Base64.getDecoder().decode(basicHeader.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException notBase64) {
            return null;
        }
    }

    static String address(HttpServerRequest request) {
        return request == null || request.remoteAddress() == null ? null : request.remoteAddress().host();
    }
}
