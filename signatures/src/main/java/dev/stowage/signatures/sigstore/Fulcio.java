package dev.stowage.signatures.sigstore;

import dev.stowage.signatures.Signer;
import dev.stowage.signatures.SigstoreTrustedRoot;
import dev.stowage.signatures.TrustMaterial;
import dev.stowage.signatures.TrustPolicy;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1String;

import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Keyless verification of a Fulcio certificate, offline: issued by a certificate authority of an installed trusted
 * root (while that CA was valid), valid at the moment the transparency log says the signature was made (Fulcio
 * certificates live ten minutes, so "now" is never the right time), a code-signing certificate, and its OIDC issuer
 * and identity (SAN) allowed by one of the policy's keyless identities.
 */
final class Fulcio {
    /** The OIDC issuer, raw UTF-8 in the extension value: Fulcio's first encoding, still in old certificates. */
    static final String OIDC_ISSUER_LEGACY = "1.3.6.1.4.1.57264.1.1";
    /** The OIDC issuer as a DER UTF8String: what Fulcio writes today. */
    static final String OIDC_ISSUER = "1.3.6.1.4.1.57264.1.8";
    private static final String CODE_SIGNING = "1.3.6.1.5.5.7.3.3";

    private Fulcio() {}

    record Verified(Signer signer, String trustedBy) {}

    static Verified verify(X509Certificate leaf, Instant signedAt, TrustMaterial trust) throws Rejected {
        Signer signer = signer(leaf);
        if (trust.sigstoreRoots().isEmpty()) {
            throw new Rejected("keyless signature, but no Sigstore trusted root is installed");
        }
        if (issuingAuthority(leaf, trust.sigstoreRoots()).isEmpty()) {
            throw new Rejected("certificate not issued by an installed Fulcio root");
        }
        if (signedAt.isBefore(leaf.getNotBefore().toInstant())) {
            throw new Rejected("certificate not yet valid when the log entry was made (" + signedAt + ")");
        }
        if (signedAt.isAfter(leaf.getNotAfter().toInstant())) {
            throw new Rejected("certificate expired before the log entry was made (expired "
                    + leaf.getNotAfter().toInstant() + ", logged " + signedAt + ")");
        }
        if (!codeSigning(leaf)) throw new Rejected("certificate is not for code signing");
        String issuer = signer.oidcIssuer().orElseThrow(() -> new Rejected("certificate names no OIDC issuer"));
        String identity = signer.identity().orElseThrow(() -> new Rejected("certificate names no identity (SAN)"));
        for (TrustPolicy.KeylessIdentity allowed : trust.policy().identities()) {
            if (allowed.matches(issuer, identity)) return new Verified(signer, "keyless identity " + allowed.name());
        }
        throw new Rejected("identity " + printable(identity) + " (issuer " + printable(issuer)
                + ") not allowed by the policy");
    }

    /** Who the certificate says signed, whether or not anything trusts it. */
    static Signer signer(X509Certificate leaf) {
        return new Signer(Crypto.keyId(leaf.getPublicKey()),
                Optional.of(leaf.getSubjectX500Principal().getName()).filter(s -> !s.isEmpty()),
                Optional.of(leaf.getIssuerX500Principal().getName()), oidcIssuer(leaf), identity(leaf));
    }

    private static Optional<SigstoreTrustedRoot.CertificateAuthority> issuingAuthority(
            X509Certificate leaf, List<SigstoreTrustedRoot> roots) {
        Instant issued = leaf.getNotBefore().toInstant();
        for (SigstoreTrustedRoot root : roots) {
            for (SigstoreTrustedRoot.CertificateAuthority ca : root.certificateAuthorities()) {
                if (issued.isBefore(ca.validFrom()) || ca.validUntil().map(issued::isAfter).orElse(false)) continue;
                if (issuedBy(leaf, ca.chain().getFirst()) && chainHolds(ca.chain(), issued)) return Optional.of(ca);
            }
        }
        return Optional.empty();
    }

    private static boolean issuedBy(X509Certificate certificate, X509Certificate issuer) {
        if (!certificate.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) return false;
        if (issuer.getBasicConstraints() < 0) return false;
        try {
            certificate.verify(issuer.getPublicKey());
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    /** The installed chain itself: each certificate issued by the next, all valid when the leaf was issued. */
    private static boolean chainHolds(List<X509Certificate> chain, Instant issued) {
        for (int i = 0; i < chain.size(); i++) {
            X509Certificate certificate = chain.get(i);
            if (issued.isBefore(certificate.getNotBefore().toInstant())
                    || issued.isAfter(certificate.getNotAfter().toInstant())) return false;
            X509Certificate issuer = i + 1 < chain.size() ? chain.get(i + 1) : certificate;
            if (!issuedBy(certificate, issuer)) return false;
        }
        return true;
    }

    private static boolean codeSigning(X509Certificate leaf) {
        try {
            List<String> usages = leaf.getExtendedKeyUsage();
            return usages != null && usages.contains(CODE_SIGNING);
        } catch (CertificateParsingException e) {
            return false;
        }
    }

    static Optional<String> oidcIssuer(X509Certificate leaf) {
        try {
            byte[] current = leaf.getExtensionValue(OIDC_ISSUER);
            if (current != null) {
                ASN1Primitive value = ASN1Primitive.fromByteArray(ASN1OctetString.getInstance(current).getOctets());
                if (value instanceof ASN1String text) return Optional.of(text.getString());
            }
            byte[] legacy = leaf.getExtensionValue(OIDC_ISSUER_LEGACY);
            if (legacy != null) {
                return Optional.of(new String(ASN1OctetString.getInstance(legacy).getOctets(), StandardCharsets.UTF_8));
            }
        } catch (Exception e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** The SAN Fulcio put the OIDC identity in: an email, a URI (CI workflows, SPIFFE), else another name. */
    static Optional<String> identity(X509Certificate leaf) {
        try {
            Collection<List<?>> names = leaf.getSubjectAlternativeNames();
            if (names == null) return Optional.empty();
            for (List<?> name : names) {
                Object type = name.get(0);
                if ((Integer.valueOf(1).equals(type) || Integer.valueOf(6).equals(type)) && name.get(1) instanceof String s) {
                    return Optional.of(s);
                }
            }
            for (List<?> name : names) {
                if (name.get(1) instanceof String s) return Optional.of(s);
            }
        } catch (CertificateParsingException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    static String printable(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length() && i < 200; i++) {
            char c = text.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return text.length() > 200 ? out + "..." : out.toString();
    }
}
