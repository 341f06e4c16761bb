package dev.stowage.signatures.notation;

import dev.stowage.signatures.notation.NotationEnvelope.Refusal;

import javax.security.auth.x500.X500Principal;
import java.io.ByteArrayInputStream;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The certificate requirements of signature-specification.md for a code-signing chain, as notation-core-go applies them
 * ({@code ValidateCodeSigningCertChain}): the chain is ordered leaf to a self-signed root, each certificate signed by
 * the next and naming it as issuer, no self-signed leaf or intermediate; CAs with basicConstraints cA=true, a path length
 * that allows the chain below them, critical keyUsage with keyCertSign; the leaf not a CA, critical keyUsage with
 * digitalSignature and none of the encipherment/agreement/certificate-signing bits, an extendedKeyUsage (when present)
 * without anyExtendedKeyUsage, serverAuth, clientAuth, emailProtection, timeStamping or OCSPSigning, and a key Notation
 * signs with; certificate signatures only with the algorithms Go's x509 accepts (no MD5, no SHA-1); every certificate
 * valid at the signing time. A chain of one self-signed certificate
 * is held to the leaf's requirements. Other extensions are not evaluated, as the specification says.
 */
final class CodeSigningChain {
    private static final Set<String> FORBIDDEN_EKUS = Set.of(
            "2.5.29.37.0", "1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2", "1.3.6.1.5.5.7.3.4", "1.3.6.1.5.5.7.3.8",
            "1.3.6.1.5.5.7.3.9");
    /**
     * The certificate signature algorithms Go's x509 (which notation verifies chains with) accepts: RSA PKCS#1 v1.5 and
     * ECDSA with SHA-256/384/512, RSASSA-PSS (its hash checked apart), Ed25519. MD5, SHA-1 and the rest are refused:
     * the JDK's {@code X509Certificate.verify} would accept them.
     */
    private static final Set<String> CERTIFICATE_SIGNATURES = Set.of(
            "1.2.840.113549.1.1.11", "1.2.840.113549.1.1.12", "1.2.840.113549.1.1.13",
            "1.2.840.10045.4.3.2", "1.2.840.10045.4.3.3", "1.2.840.10045.4.3.4", "1.3.101.112");
    private static final String RSASSA_PSS = "1.2.840.113549.1.1.10";
    private static final Set<String> PSS_HASHES = Set.of("2.16.840.1.101.3.4.2.1", "2.16.840.1.101.3.4.2.2",
            "2.16.840.1.101.3.4.2.3");
    private static final String KEY_USAGE = "2.5.29.15";

    private CodeSigningChain() {
    }

    static List<X509Certificate> parse(List<byte[]> ders) throws Refusal {
        List<X509Certificate> chain = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (byte[] der : ders) {
                try {
                    chain.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
                } catch (CertificateException | RuntimeException e) {
                    throw new Refusal("certificate " + (chain.size() + 1) + " of the chain is not a valid X.509 certificate");
                }
            }
        } catch (CertificateException e) {
            throw new IllegalStateException("the JDK has no X.509 certificate factory", e);
        }
        return chain;
    }

    static void check(List<X509Certificate> chain, Instant signingTime) throws Refusal {
        for (X509Certificate certificate : chain) {
            validAt(certificate, signingTime, "at signing time " + signingTime);
            if (!acceptedSignature(certificate)) {
                throw new Refusal("certificate " + subject(certificate) + " is signed with " + certificate.getSigAlgName()
                        + ", which Notation does not accept (RSA or ECDSA with SHA-256/384/512, RSASSA-PSS, Ed25519)");
            }
        }
        X509Certificate leaf = chain.getFirst();
        if (chain.size() == 1) {
            if (!issuedBy(leaf, leaf)) {
                throw new Refusal("the chain is the single certificate " + subject(leaf)
                        + ", which is not self-signed: the chain must end with its root");
            }
            checkLeaf(leaf);
            return;
        }
        for (int i = 0; i < chain.size(); i++) {
            X509Certificate certificate = chain.get(i);
            boolean last = i == chain.size() - 1;
            boolean selfSigned = issuedBy(certificate, certificate);
            if (last && !selfSigned) {
                throw new Refusal("the chain ends with " + subject(certificate) + ", which is not a self-signed root");
            }
            if (!last) {
                if (selfSigned) {
                    throw new Refusal((i == 0 ? "the leaf " : "the intermediate ") + subject(certificate)
                            + " is self-signed inside the chain");
                }
                if (!issuedBy(certificate, chain.get(i + 1))) {
                    throw new Refusal("certificate " + subject(certificate) + " is not issued by the next in the chain, "
                            + subject(chain.get(i + 1)));
                }
            }
            if (i == 0) checkLeaf(certificate);
            else checkCa(certificate, i - 1);
        }
    }

    /** Whether {@code now} lies within every certificate's validity. */
    static void validNow(List<X509Certificate> chain, Instant now) throws Refusal {
        for (X509Certificate certificate : chain) {
            validAt(certificate, now, "now, and the signature carries no verified timestamp");
        }
    }

    private static void validAt(X509Certificate certificate, Instant time, String when) throws Refusal {
        Instant notBefore = certificate.getNotBefore().toInstant();
        Instant notAfter = certificate.getNotAfter().toInstant();
        if (time.isBefore(notBefore)) {
            throw new Refusal("certificate " + subject(certificate) + " is not valid until " + notBefore + " (checked " + when + ")");
        }
        if (time.isAfter(notAfter)) {
            throw new Refusal("certificate " + subject(certificate) + " expired at " + notAfter + " (checked " + when + ")");
        }
    }

    private static boolean acceptedSignature(X509Certificate certificate) {
        String oid = certificate.getSigAlgOID();
        if (CERTIFICATE_SIGNATURES.contains(oid)) return true;
        if (!RSASSA_PSS.equals(oid) || certificate.getSigAlgParams() == null) return false;
        try {
            // absent parameters default to SHA-1 (RFC 4055), so the hash must be named and be one of SHA-2
            return PSS_HASHES.contains(org.bouncycastle.asn1.pkcs.RSASSAPSSparams.getInstance(certificate.getSigAlgParams())
                    .getHashAlgorithm().getAlgorithm().getId());
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static void checkLeaf(X509Certificate leaf) throws Refusal {
        if (leaf.getBasicConstraints() >= 0) {
            throw new Refusal("the signing certificate " + subject(leaf) + " is a CA certificate");
        }
        boolean[] usage = keyUsage(leaf);
        if (!usage[0]) {
            throw new Refusal("the signing certificate " + subject(leaf) + " lacks the digitalSignature key usage");
        }
        // keyEncipherment 2, dataEncipherment 3, keyAgreement 4, keyCertSign 5, cRLSign 6, encipherOnly 7, decipherOnly 8
        for (int bit = 2; bit < usage.length && bit <= 8; bit++) {
            if (usage[bit]) {
                throw new Refusal("the signing certificate " + subject(leaf)
                        + " has key usages beyond digitalSignature (bit " + bit + ")");
            }
        }
        List<String> ekus;
        try {
            ekus = leaf.getExtendedKeyUsage();
        } catch (CertificateParsingException e) {
            throw new Refusal("the signing certificate's extended key usage cannot be read");
        }
        if (ekus != null) {
            for (String eku : ekus) {
                if (FORBIDDEN_EKUS.contains(eku)) {
                    throw new Refusal("the signing certificate " + subject(leaf) + " is not a code-signing certificate: "
                            + "its extended key usage " + eku + " is not allowed (only codeSigning)");
                }
            }
        }
        PublicKey key = leaf.getPublicKey();
        if (NotationAlgorithm.forKey(key).isEmpty()) {
            throw new Refusal("the signing certificate's key (" + NotationAlgorithm.describe(key)
                    + ") is not one Notation allows (RSA 2048/3072/4096, EC P-256/384/521)");
        }
    }

    private static void checkCa(X509Certificate ca, int certificatesBelowIntermediates) throws Refusal {
        int pathLength = ca.getBasicConstraints();
        if (pathLength < 0) throw new Refusal("the CA certificate " + subject(ca) + " is not marked as a CA (basicConstraints)");
        if (pathLength < certificatesBelowIntermediates) {
            throw new Refusal("the CA certificate " + subject(ca) + " allows a path length of " + pathLength
                    + ", the chain below it needs " + certificatesBelowIntermediates);
        }
        if (!keyUsage(ca)[5]) throw new Refusal("the CA certificate " + subject(ca) + " lacks the keyCertSign key usage");
    }

    private static boolean[] keyUsage(X509Certificate certificate) throws Refusal {
        boolean[] usage = certificate.getKeyUsage();
        Set<String> critical = certificate.getCriticalExtensionOIDs();
        if (usage == null || critical == null || !critical.contains(KEY_USAGE)) {
            throw new Refusal("certificate " + subject(certificate) + " must have a critical key usage extension");
        }
        return usage.length >= 9 ? usage : java.util.Arrays.copyOf(usage, 9);
    }

    private static boolean issuedBy(X509Certificate certificate, X509Certificate issuer) {
        if (!certificate.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) return false;
        try {
            certificate.verify(issuer.getPublicKey());
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    static String subject(X509Certificate certificate) {
        return certificate.getSubjectX500Principal().getName(X500Principal.RFC2253);
    }
}
