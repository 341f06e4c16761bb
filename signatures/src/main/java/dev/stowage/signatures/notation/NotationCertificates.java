package dev.stowage.signatures.notation;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/**
 * Issues the certificates managed signing needs: a self-signed root CA per project and code-signing leaves under it,
 * shaped as the Notary Project's certificate requirements say (signature-specification.md, "Certificate Requirements"):
 * the CA with critical basicConstraints cA=true and critical keyUsage keyCertSign; the leaf with cA=false, critical
 * keyUsage digitalSignature only and extendedKeyUsage codeSigning. Keys are ECDSA P-256 (ES256) unless a key pair is given.
 * Rotation issues a new leaf (or a new root and leaf); the old certificates stay in the project's trust store, so
 * signatures they made keep verifying until they expire.
 */
public final class NotationCertificates {
    private static final SecureRandom RANDOM = new SecureRandom();

    private NotationCertificates() {
    }

    /** A certificate with its private key: a project CA, or a signing leaf with its chain (leaf first, root last). */
    public record Issued(PrivateKey key, List<X509Certificate> chain) {
        public Issued {
            chain = List.copyOf(chain);
        }

        public X509Certificate certificate() {
            return chain.getFirst();
        }
    }

    /** The subject of a project's root CA: {@code O=Stowage, OU=<project>, CN=<project> root CA}. */
    public static X500Name caSubject(String project) {
        return subject(project, project + " root CA");
    }

    /** The subject of a project's signing leaf: {@code O=Stowage, OU=<project>, CN=<project> signing}. */
    public static X500Name signingSubject(String project) {
        return subject(project, project + " signing");
    }

    public static Issued projectRoot(String project, Instant notBefore, Duration validity) {
        return projectRoot(project, newEcKeyPair(), notBefore, validity);
    }

    public static Issued projectRoot(String project, KeyPair keys, Instant notBefore, Duration validity) {
        X500Name name = caSubject(project);
        X509Certificate certificate = build(name, keys.getPublic(), name, keys.getPrivate(), keys.getPublic(),
                notBefore, validity, true);
        return new Issued(keys.getPrivate(), List.of(certificate));
    }

    public static Issued signingLeaf(Issued ca, String project, Instant notBefore, Duration validity) {
        return signingLeaf(ca, project, newEcKeyPair(), notBefore, validity);
    }

    /** A code-signing leaf for {@code keys} issued by {@code ca}; its chain is the leaf followed by the CA's chain. */
    public static Issued signingLeaf(Issued ca, String project, KeyPair keys, Instant notBefore, Duration validity) {
        X509Certificate issuer = ca.certificate();
        X509Certificate certificate = build(signingSubject(project), keys.getPublic(),
                X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded()), ca.key(), issuer.getPublicKey(),
                notBefore, validity, false);
        List<X509Certificate> chain = new java.util.ArrayList<>();
        chain.add(certificate);
        chain.addAll(ca.chain());
        return new Issued(keys.getPrivate(), chain);
    }

    public static KeyPair newEcKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no P-256", e);
        }
    }

    private static X500Name subject(String project, String commonName) {
        return new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, "Stowage")
                .addRDN(BCStyle.OU, project)
                .addRDN(BCStyle.CN, commonName)
                .build();
    }

    private static X509Certificate build(X500Name subject, PublicKey subjectKey, X500Name issuer, PrivateKey issuerKey,
                                         PublicKey issuerPublicKey, Instant notBefore, Duration validity, boolean ca) {
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer,
                    new BigInteger(127, RANDOM).add(BigInteger.ONE), Date.from(notBefore),
                    Date.from(notBefore.plus(validity)), subject, subjectKey)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(ca))
                    .addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(subjectKey))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            extensions.createAuthorityKeyIdentifier(issuerPublicKey));
            if (ca) {
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            } else {
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                        .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_codeSigning));
            }
            ContentSigner signer = new JcaContentSignerBuilder(certificateSignatureAlgorithm(issuerKey)).build(issuerKey);
            return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
        } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException
                 | org.bouncycastle.cert.CertIOException e) {
            throw new IllegalStateException("could not issue a certificate for " + subject, e);
        }
    }

    private static String certificateSignatureAlgorithm(PrivateKey key) {
        if (key instanceof RSAKey rsa) return rsa.getModulus().bitLength() >= 4096 ? "SHA512withRSA" : "SHA256withRSA";
        return switch (NotationAlgorithm.forKey(key).orElse(NotationAlgorithm.ES256)) {
            case ES384 -> "SHA384withECDSA";
            case ES512 -> "SHA512withECDSA";
            default -> "SHA256withECDSA";
        };
    }
}
