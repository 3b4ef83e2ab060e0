package dev.veil.conversation;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.net.Socket;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;

/** The client side of a TLS handshake on a socket already connected (after PostgreSQL's SSLRequest was answered 'S'). */
final class TlsClient {
    private TlsClient() {
    }

    /** Trusts whatever certificate it is shown: the kit's listener has a self-signed one. */
    static SSLSocket handshake(Socket plain) throws Exception {
        TrustManager trustAll = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[]{trustAll}, new SecureRandom());
        SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(plain, "localhost", plain.getPort(), true);
        tls.setUseClientMode(true);
        tls.startHandshake();
        return tls;
    }
}
