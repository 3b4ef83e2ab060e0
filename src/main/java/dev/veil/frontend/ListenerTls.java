package dev.veil.frontend;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.spi.tls.SslContextFactory;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A listener's TLS, made ready before its port opens and off the event loops: the certificate is read and the
 * server's SslContext built then. Vert.x would build that context at the first {@code upgradeToSsl}, on the
 * event loop serving that client, which stalled every connection of that loop for seconds (issue 12: 2.2 s
 * for the first MySQL client asking for TLS). The listener's SSL engine options hand Vert.x this context
 * instead; it is the one Vert.x would have built (JDK provider, its default cipher suites, no client
 * certificates; made without SslContextBuilder, see {@link #prepare}). Key and certificate come from memory
 * ({@link ServerKeyManager}), for this context and for what Vert.x loads itself when the port opens: no key
 * store, no PBKDF2 (see {@link ServerCertificate}).
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
        // The JDK context is made here and wrapped, rather than through Netty's SslContextBuilder: its server
        // context class probes a JDK feature in its static initialiser with a PKCS#12 key store of its own
        // (20,000 PBKDF2 rounds, about 60 ms of the native executable's start). No trust managers: listeners do
        // not ask clients for certificates. Cipher suites and protocols are Netty's defaults, as before.
        SSLContext jdk = SSLContext.getInstance("TLS");
        jdk.init(new KeyManager[]{keys}, new TrustManager[0], null);
        SslContext context = new JdkSslContext(jdk, false, ClientAuth.NONE);
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
