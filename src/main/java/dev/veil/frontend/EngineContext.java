package dev.veil.frontend;

import dev.veil.identity.Authenticator;
import dev.veil.masking.MaskFunctions;
import dev.veil.session.SessionAuditor;
import dev.veil.session.SessionOpener;
import dev.veil.upstream.UpstreamRegistry;
import dev.veil.upstream.UpstreamRouter;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/**
 * What the engines of both wires depend on, and nothing else: who the client is, where its session and
 * statements are recorded, which server it reaches, and the event loops. (The per-protocol engine plus one
 * shared context follows Teleport's database access engines.) {@code masks}: the mask functions with this
 * environment's pseudonym secret, for the results a statement's masking plan rewrites.
 */
@Singleton
public record EngineContext(Authenticator authenticator, SessionAuditor auditor, SessionOpener sessions,
                            UpstreamRegistry upstreams, UpstreamRouter router, Vertx vertx,
                            MaskFunctions masks) {
    @Inject
    public EngineContext {
    }
}
