package dev.veil.frontend;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;

/**
 * Serves one {@link ServerCertificate} to the TLS handshakes of a listener, straight from memory. JSSE asks for
 * a key of the type the negotiated cipher suite or signature scheme needs ("EC", "RSA", "RSASSA-PSS", "EdDSA";
 * TLS 1.2's ECDH suites add the certificate's signer after an underscore, "EC_RSA"); the one key is offered
 * when its algorithm is that type. A client's list of accepted issuers, when it sends one, is not consulted:
 * there is only one certificate to offer, and a client that does not trust it ends the handshake itself.
 */
final class ServerKeyManager extends X509ExtendedKeyManager {
    private static final String ALIAS = "veil";

    private final PrivateKey key;
    private final X509Certificate[] chain;

    ServerKeyManager(ServerCertificate certificate) {
        this.key = certificate.key();
        this.chain = certificate.chain().toArray(X509Certificate[]::new);
    }

    boolean serves(String keyType) {
        if (keyType == null) {
            return false;
        }
        int signer = keyType.indexOf('_');
        String wanted = signer > 0 ? keyType.substring(0, signer) : keyType;
        String algorithm = key.getAlgorithm();
        if (wanted.equals("EdDSA")) {
            return algorithm.equals("EdDSA") || algorithm.equals("Ed25519") || algorithm.equals("Ed448");
        }
        return wanted.equals(algorithm);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return serves(keyType) ? ALIAS : null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return serves(keyType) ? ALIAS : null;
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return serves(keyType) ? new String[]{ALIAS} : null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return ALIAS.equals(alias) ? chain.clone() : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return ALIAS.equals(alias) ? key : null;
    }

    // A listener never authenticates itself as a client.
    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return null;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
        return null;
    }
}
