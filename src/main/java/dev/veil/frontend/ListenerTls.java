package dev.veil.frontend;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.KeyManagerFactoryWrapper;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.spi.tls.DefaultSslContextFactory;
import io.vertx.core.spi.tls.SslContextFactory;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A listener's TLS, made ready before its port opens and off the event loops: the certificate is read and the
 * server's SslContext built then. Vert.x would build that context at the first {@code upgradeToSsl}, on the
 * event loop serving that client, which stalled every connection of that loop for seconds (issue 12: 2.2 s
 * for the first MySQL client asking for TLS). The listener's SSL engine options hand Vert.x this context
 * instead; it is the one Vert.x would have built (JDK provider, its default cipher suites, no client
 * certificates). Key and certificate come from memory ({@link ServerKeyManager}), for this context and for
 * what Vert.x loads itself when the port opens: no key store, no PBKDF2 (see {@link ServerCertificate}).
 */
public final class ListenerTls {
    private final ServerKeyManager keys;
    private final SslContext context;
    private final AtomicInteger handedOut = new AtomicInteger();

    private ListenerTls(ServerKeyManager keys, SslContext context) {
        this.keys = keys;
        this.context = context;
    }

    /** Builds the context; blocking, so never on an event loop. */
    static ListenerTls prepare(ServerCertificate certificate) throws Exception {
        ServerKeyManager keys = new ServerKeyManager(certificate);
        SslContext context = new DefaultSslContextFactory(SslProvider.JDK, false).forClient(false)
                .keyMananagerFactory(new KeyManagerFactoryWrapper(keys)).clientAuth(ClientAuth.NONE).create();
        // One engine now loads and initialises the handshake's classes, which the first client would otherwise pay for.
        context.newEngine(ByteBufAllocator.DEFAULT).closeOutbound();
        return new ListenerTls(keys, context);
    }

    /** A plain server whose sockets can be upgraded to TLS with this certificate and context. */
    void applyTo(NetServerOptions options) {
        options.setSsl(false).setKeyCertOptions(KeyCertOptions.wrap(keys)).setSslEngineOptions(new Prepared(this));
    }

    /** The server context every TLS client of the listener is served with. */
    public SslContext context() {
        return context;
    }

    /** How often Vert.x asked for a server context and was handed this one (it caches it: once per server). */
    public int handedOut() {
        return handedOut.get();
    }

    /** Engine options whose factory hands out the prepared context instead of building one. */
    private static final class Prepared extends JdkSSLEngineOptions {
        private final ListenerTls tls;

        Prepared(ListenerTls tls) {
            this.tls = tls;
        }

        @Override
        public JdkSSLEngineOptions copy() {
            return new Prepared(tls);
        }

        @Override
        public SslContextFactory sslContextFactory() {
            return () -> {
                tls.handedOut.incrementAndGet();
                return tls.context;
            };
        }
    }
}
