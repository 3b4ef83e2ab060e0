package dev.veil.frontend;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;

/**
 * The certificate clients see and its private key, held as Java objects: read from the configured PEM files, or
 * made self-signed at start-up (demo). No key store is involved. A PKCS#12 key store, which Vert.x and Netty
 * build from PEM files, encrypts the key on the way in and decrypts it on the way out with 10,000 rounds of PBKDF2
 * each. The native executable, built for any x86-64, has no SHA instructions to run them on: Veil's, Vert.x's and
 * Netty's key stores took about 380 ms of CPU before the first port opened (docs/native-build.md).
 */
public record ServerCertificate(PrivateKey key, List<X509Certificate> chain) {
    public ServerCertificate {
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("a certificate chain needs at least the server's certificate");
        }
        chain = List.copyOf(chain);
    }

    /**
     * Reads a PEM certificate chain (the server's certificate first) and a PEM private key: PKCS#8 ("PRIVATE
     * KEY") or the traditional RSA / EC forms OpenSSL writes.
     */
    public static ServerCertificate fromPemFiles(Path certFile, Path keyFile) throws IOException, GeneralSecurityException {
        Collection<? extends Certificate> certificates;
        try (InputStream in = Files.newInputStream(certFile)) {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
        if (certificates.isEmpty()) {
            throw new GeneralSecurityException(certFile + " holds no PEM certificate");
        }
        List<X509Certificate> chain = new ArrayList<>();
        for (Certificate certificate : certificates) {
            chain.add((X509Certificate) certificate);
        }
        return new ServerCertificate(privateKey(keyFile), chain);
    }

    private static PrivateKey privateKey(Path keyFile) throws IOException, GeneralSecurityException {
        Object pem;
        try (Reader in = Files.newBufferedReader(keyFile, StandardCharsets.US_ASCII); PEMParser parser = new PEMParser(in)) {
            pem = parser.readObject();
        }
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        if (pem instanceof PrivateKeyInfo info) {
            return converter.getPrivateKey(info);
        }
        if (pem instanceof PEMKeyPair pair) {
            return converter.getPrivateKey(pair.getPrivateKeyInfo()); // an EC key may come without its public half
        }
        if (pem instanceof PKCS8EncryptedPrivateKeyInfo || pem instanceof PEMEncryptedKeyPair) {
            throw new GeneralSecurityException(keyFile + " holds an encrypted private key; Veil reads unencrypted ones "
                    + "(openssl pkey -in <file> -out <new file>), so protect the file itself");
        }
        throw new GeneralSecurityException(keyFile + " holds no PEM private key (expected PRIVATE KEY, RSA PRIVATE KEY "
                + "or EC PRIVATE KEY)");
    }

    /** A fresh self-signed certificate for localhost / 127.0.0.1 (EC P-256), valid for a year. Clients cannot verify it. */
    public static ServerCertificate selfSigned() {
        try {
            SecureRandom random = new SecureRandom();
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(256, random);
            KeyPair pair = generator.generateKeyPair();
            X500Name subject = new X500Name("CN=localhost, O=Veil demo");
            Instant now = Instant.now();
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
                    new BigInteger(64, random), Date.from(now.minus(Duration.ofMinutes(5))),
                    Date.from(now.plus(Duration.ofDays(365))), subject, pair.getPublic());
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[]{
                    new GeneralName(GeneralName.dNSName, "localhost"),
                    new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
            return new ServerCertificate(pair.getPrivate(), List.of(certificate));
        } catch (Exception e) {
            throw new IllegalStateException("could not create a self-signed certificate: " + e.getMessage(), e);
        }
    }

    /** The chain in PEM, server certificate first (what a client or another server is given to trust). */
    public String chainPem() {
        StringBuilder pem = new StringBuilder();
        for (X509Certificate certificate : chain) {
            pem.append(pem(certificate));
        }
        return pem.toString();
    }

    /** The private key in PEM (PKCS#8). */
    public String keyPem() {
        try {
            return pem(new JcaPKCS8Generator(key, null).generate());
        } catch (IOException e) {
            throw new IllegalStateException("could not encode the private key: " + e.getMessage(), e);
        }
    }

    private static String pem(Object o) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(o);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }
}
