package dev.veil.frontend;

import io.netty.buffer.ByteBufAllocator;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The listener's certificate is read from PEM files into memory and served to TLS handshakes without a key store
 * (start-up: a PKCS#12 store costs PBKDF2 rounds). The forms OpenSSL writes are read, the whole chain is sent,
 * and RSA as well as EC keys complete a handshake with a JDK client that trusts only the issuing CA.
 */
class ServerCertificateTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} key as {1}")
    @CsvSource({"RSA, pkcs8", "RSA, traditional", "EC, pkcs8", "EC, traditional"})
    void aKeyAndChainFromPemFilesServeAHandshakeToAClientTrustingTheCa(String algorithm, String keyForm) throws Exception {
        KeyPair ca = keys(algorithm);
        X509Certificate caCertificate = certificate("CN=Test CA", ca, "CN=Test CA", ca.getPrivate(), true);
        KeyPair server = keys(algorithm);
        X509Certificate serverCertificate = certificate("CN=localhost", server, "CN=Test CA", ca.getPrivate(), false);
        Path certFile = Files.writeString(dir.resolve("tls.crt"), pem(serverCertificate) + pem(caCertificate));
        Path keyFile = Files.writeString(dir.resolve("tls.key"),
                keyForm.equals("pkcs8") ? pem(new JcaPKCS8Generator(server.getPrivate(), null).generate()) : traditional(server));

        ServerCertificate read = ServerCertificate.fromPemFiles(certFile, keyFile);

        assertThat(signsFor(read.key(), serverCertificate)).as("the key read is the certificate's").isTrue();
        assertThat(read.chain()).containsExactly(serverCertificate, caCertificate);
        SSLEngine client = clientTrusting(caCertificate);
        handshake(client, ListenerTls.prepare(read).context().newEngine(ByteBufAllocator.DEFAULT));
        assertThat(client.getSession().getPeerCertificates()).containsExactly(serverCertificate, caCertificate);
    }

    @Test
    void theSelfSignedCertificateServesAHandshakeAndRoundTripsThroughPem() throws Exception {
        ServerCertificate made = ServerCertificate.selfSigned();
        Path certFile = Files.writeString(dir.resolve("self.crt"), made.chainPem());
        Path keyFile = Files.writeString(dir.resolve("self.key"), made.keyPem());

        ServerCertificate read = ServerCertificate.fromPemFiles(certFile, keyFile);

        assertThat(read.chain()).isEqualTo(made.chain());
        assertThat(read.key().getEncoded()).isEqualTo(made.key().getEncoded());
        SSLEngine client = clientTrusting(made.chain().get(0));
        handshake(client, ListenerTls.prepare(read).context().newEngine(ByteBufAllocator.DEFAULT));
        assertThat(client.getSession().getPeerCertificates()[0]).isEqualTo(made.chain().get(0));
    }

    @Test
    void anEncryptedKeyIsRefusedWithWhatToDo() throws Exception {
        KeyPair pair = keys("EC");
        Path keyFile = Files.writeString(dir.resolve("encrypted.key"), pem(new JcaPKCS8Generator(pair.getPrivate(),
                new JceOpenSSLPKCS8EncryptorBuilder(PKCSObjectIdentifiers.pbeWithSHAAnd3_KeyTripleDES_CBC)
                        .setPassword("secret".toCharArray()).build()).generate()));
        Path certFile = Files.writeString(dir.resolve("tls.crt"), ServerCertificate.selfSigned().chainPem());

        assertThatThrownBy(() -> ServerCertificate.fromPemFiles(certFile, keyFile))
                .isInstanceOf(GeneralSecurityException.class)
                .hasMessageContaining(keyFile.toString()).hasMessageContaining("encrypted private key")
                .hasMessageContaining("openssl pkey");
    }

    @Test
    void filesWithoutAKeyOrACertificateAreRefusedByName() throws Exception {
        Path certFile = Files.writeString(dir.resolve("tls.crt"), ServerCertificate.selfSigned().chainPem());
        Path notAKey = Files.writeString(dir.resolve("not-a-key.pem"), ServerCertificate.selfSigned().chainPem());
        Path empty = Files.writeString(dir.resolve("empty.crt"), "");
        Path keyFile = Files.writeString(dir.resolve("tls.key"), ServerCertificate.selfSigned().keyPem());

        assertThatThrownBy(() -> ServerCertificate.fromPemFiles(certFile, notAKey))
                .hasMessageContaining(notAKey + " holds no PEM private key");
        assertThatThrownBy(() -> ServerCertificate.fromPemFiles(empty, keyFile))
                .hasMessageContaining(empty + " holds no PEM certificate");
    }

    @Test
    void theKeyIsOfferedOnlyForHandshakesThatNeedItsAlgorithm() {
        ServerKeyManager ec = new ServerKeyManager(ServerCertificate.selfSigned());

        assertThat(ec.serves("EC")).isTrue();
        assertThat(ec.serves("EC_RSA")).as("TLS 1.2 ECDH suite, certificate signed with RSA").isTrue();
        assertThat(ec.serves("RSA")).isFalse();
        assertThat(ec.serves("RSASSA-PSS")).isFalse();
        assertThat(ec.chooseEngineServerAlias("RSA", null, null)).isNull();
        assertThat(ec.getPrivateKey(ec.chooseEngineServerAlias("EC", null, null))).isNotNull();
        assertThat(ec.getPrivateKey("someone-else")).isNull();
        assertThat(ec.chooseEngineClientAlias(new String[]{"EC"}, null, null)).as("never a client").isNull();
    }

    private static boolean signsFor(PrivateKey key, X509Certificate certificate) throws GeneralSecurityException {
        String algorithm = key.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(key);
        signer.update(new byte[]{1, 2, 3});
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance(algorithm);
        verifier.initVerify(certificate.getPublicKey());
        verifier.update(new byte[]{1, 2, 3});
        return verifier.verify(signature);
    }

    private static KeyPair keys(String algorithm) throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
        generator.initialize(algorithm.equals("RSA") ? 2048 : 256);
        return generator.generateKeyPair();
    }

    private static X509Certificate certificate(String subject, KeyPair subjectKeys, String issuer, PrivateKey issuerKey,
                                               boolean ca) throws Exception {
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(new X500Name(issuer),
                BigInteger.valueOf(now.toEpochMilli()), Date.from(now.minus(1, ChronoUnit.HOURS)),
                Date.from(now.plus(1, ChronoUnit.DAYS)), new X500Name(subject), subjectKeys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        String signature = issuerKey.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder(signature).build(issuerKey)));
    }

    /** "RSA PRIVATE KEY", or "EC PRIVATE KEY" with its named curve inside, as OpenSSL writes them. */
    private static String traditional(KeyPair pair) throws Exception {
        if (pair.getPrivate().getAlgorithm().equals("RSA")) {
            return pem(pair);
        }
        PrivateKeyInfo info = PrivateKeyInfo.getInstance(pair.getPrivate().getEncoded());
        ECPrivateKey inner = ECPrivateKey.getInstance(info.parsePrivateKey());
        ECPrivateKey withCurve = new ECPrivateKey(256, inner.getKey(), inner.getPublicKey(),
                info.getPrivateKeyAlgorithm().getParameters());
        return pem(new PemObject("EC PRIVATE KEY", withCurve.getEncoded()));
    }

    private static String pem(Object o) throws Exception {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(o);
        }
        return out.toString();
    }

    private static SSLEngine clientTrusting(X509Certificate ca) throws Exception {
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        trusted.setCertificateEntry("ca", ca);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        SSLEngine engine = context.createSSLEngine("localhost", 5432);
        engine.setUseClientMode(true);
        return engine;
    }

    /** Runs a handshake between two engines in memory; fails when either side fails it. */
    private static void handshake(SSLEngine client, SSLEngine server) throws SSLException {
        ByteBuffer toServer = ByteBuffer.allocate(1 << 17);
        ByteBuffer toClient = ByteBuffer.allocate(1 << 17);
        client.beginHandshake();
        server.beginHandshake();
        for (int round = 0; round < 100; round++) {
            step(client, toServer, toClient);
            step(server, toClient, toServer);
            if (done(client) && done(server)) {
                return;
            }
        }
        throw new AssertionError("the handshake did not finish: client " + client.getHandshakeStatus() + ", server "
                + server.getHandshakeStatus());
    }

    private static boolean done(SSLEngine engine) {
        SSLEngineResult.HandshakeStatus status = engine.getHandshakeStatus();
        return status == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING || status == SSLEngineResult.HandshakeStatus.FINISHED;
    }

    /** Advances one engine until it needs bytes its peer has not sent yet. */
    private static void step(SSLEngine engine, ByteBuffer toPeer, ByteBuffer fromPeer) throws SSLException {
        ByteBuffer application = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
        for (int i = 0; i < 50; i++) {
            switch (engine.getHandshakeStatus()) {
                case NEED_TASK -> {
                    for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask()) {
                        task.run();
                    }
                }
                case NEED_WRAP -> engine.wrap(ByteBuffer.allocate(0), toPeer);
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    fromPeer.flip();
                    SSLEngineResult result = engine.unwrap(fromPeer, application);
                    fromPeer.compact();
                    if (result.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW || result.bytesConsumed() == 0
                            && result.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_UNWRAP) {
                        return;
                    }
                }
                default -> {
                    return;
                }
            }
        }
    }
}
