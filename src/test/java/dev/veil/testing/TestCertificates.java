package dev.veil.testing;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.OutputStream;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/**
 * A private CA and a server certificate it signed, as PEM files a database server reads, plus the CA as a
 * PKCS#12 trust store for clients that take no PEM (MySQL Connector/J). RSA, because every TLS library a
 * server may be built with (OpenSSL, WolfSSL) takes it; the key is written in the traditional PKCS#1 form
 * for the same reason. The server certificate names localhost, 127.0.0.1 and ::1.
 */
public record TestCertificates(Path caFile, Path certFile, Path keyFile, Path trustStore, String trustStorePassword) {

    public static final String TRUST_STORE_PASSWORD = "changeit";

    /** Writes {@code ca.pem}, {@code server-cert.pem}, {@code server-key.pem} and {@code ca-truststore.p12} into {@code dir}. */
    public static TestCertificates create(Path dir, String caName) throws Exception {
        Files.createDirectories(dir);
        SecureRandom random = new SecureRandom();
        Instant now = Instant.now();
        Date notBefore = Date.from(now.minus(Duration.ofHours(1)));
        Date notAfter = Date.from(now.plus(Duration.ofDays(30)));
        JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();

        KeyPair caKeys = rsaKeyPair(random);
        X500Name caSubject = new X500Name("CN=" + caName + ", O=Veil tests");
        JcaX509v3CertificateBuilder ca = new JcaX509v3CertificateBuilder(caSubject, new BigInteger(64, random),
                notBefore, notAfter, caSubject, caKeys.getPublic());
        ca.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        ca.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        ca.addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(caKeys.getPublic()));
        X509CertificateHolder caCert = ca.build(new JcaContentSignerBuilder("SHA256withRSA").build(caKeys.getPrivate()));

        KeyPair serverKeys = rsaKeyPair(random);
        JcaX509v3CertificateBuilder server = new JcaX509v3CertificateBuilder(caSubject, new BigInteger(64, random),
                notBefore, notAfter, new X500Name("CN=localhost, O=Veil tests"), serverKeys.getPublic());
        server.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        server.addExtension(Extension.keyUsage, true,
                new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
        server.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        server.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[]{
                new GeneralName(GeneralName.dNSName, "localhost"),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                new GeneralName(GeneralName.iPAddress, "::1")}));
        server.addExtension(Extension.authorityKeyIdentifier, false, extensions.createAuthorityKeyIdentifier(caCert));
        X509CertificateHolder serverCert = server.build(new JcaContentSignerBuilder("SHA256withRSA").build(caKeys.getPrivate()));

        Path caFile = dir.resolve("ca.pem");
        Path certFile = dir.resolve("server-cert.pem");
        Path keyFile = dir.resolve("server-key.pem");
        Path trustStore = dir.resolve("ca-truststore.p12");
        writePem(caFile, caCert);
        writePem(certFile, serverCert);
        writePem(keyFile, serverKeys.getPrivate());

        X509Certificate caX509 = new JcaX509CertificateConverter().getCertificate(caCert);
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("veil-test-ca", caX509);
        try (OutputStream out = Files.newOutputStream(trustStore)) {
            store.store(out, TRUST_STORE_PASSWORD.toCharArray());
        }
        return new TestCertificates(caFile, certFile, keyFile, trustStore, TRUST_STORE_PASSWORD);
    }

    private static KeyPair rsaKeyPair(SecureRandom random) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048, random);
        return generator.generateKeyPair();
    }

    private static void writePem(Path file, Object object) throws Exception {
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
             JcaPEMWriter pem = new JcaPEMWriter(out)) {
            pem.writeObject(object);
        }
    }
}
