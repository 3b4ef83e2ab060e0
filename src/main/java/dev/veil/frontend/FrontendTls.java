package dev.veil.frontend;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.StringWriter;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.io.IOException;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/** The certificate clients see: the configured PEM files, or a self-signed one made at start-up (demo). */
public final class FrontendTls {
    private FrontendTls() {
    }

    public static PemKeyCertOptions fromFiles(String certFile, String keyFile) {
        return new PemKeyCertOptions().setCertPath(certFile).setKeyPath(keyFile);
    }

    /** A fresh self-signed certificate for localhost / 127.0.0.1, valid for a year. Clients cannot verify it. */
    public static PemKeyCertOptions selfSigned() {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
            gen.initialize(256, new SecureRandom());
            KeyPair kp = gen.generateKeyPair();
            X500Name subject = new X500Name("CN=localhost, O=Veil demo");
            Instant now = Instant.now();
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
                    new BigInteger(64, new SecureRandom()), Date.from(now.minus(Duration.ofMinutes(5))),
                    Date.from(now.plus(Duration.ofDays(365))), subject, kp.getPublic());
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[]{
                    new GeneralName(GeneralName.dNSName, "localhost"),
                    new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
            X509CertificateHolder cert = builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate()));
            return new PemKeyCertOptions()
                    .setCertValue(Buffer.buffer(pem(cert)))
                    .setKeyValue(Buffer.buffer(pem(new JcaPKCS8Generator(kp.getPrivate(), null))));
        } catch (Exception e) {
            throw new IllegalStateException("could not create a self-signed certificate: " + e.getMessage(), e);
        }
    }

    private static String pem(Object o) throws IOException {
        StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            w.writeObject(o);
        }
        return sw.toString();
    }
}
