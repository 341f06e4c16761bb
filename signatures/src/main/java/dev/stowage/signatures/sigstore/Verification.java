package dev.stowage.signatures.sigstore;

import dev.stowage.core.Digest;
import dev.stowage.signatures.SignatureCheck;
import dev.stowage.signatures.SignatureKind;
import dev.stowage.signatures.Signer;
import dev.stowage.signatures.SigstoreTrustedRoot;
import dev.stowage.signatures.TrustMaterial;
import dev.stowage.signatures.TrustPolicy;

import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The trust decision both Sigstore formats share, once the payload is known to name the manifest: with a
 * certificate, keyless (the certificate's key verifies the signature, the Rekor entry is about this signature and
 * verified with an installed log key, and Fulcio issued the certificate to an allowed identity valid at the logged
 * time) unless the certificate's key is itself a trusted key; without one, a key of the policy must verify it.
 */
final class Verification {
    private Verification() {}

    /**
     * @param verifiedBy whether a key verifies the signature (over the payload, the PAE or the digest, as the format
     *                   says)
     */
    static SignatureCheck check(SignatureKind kind, Digest artifact, Predicate<PublicKey> verifiedBy,
                                Optional<X509Certificate> certificate, Optional<Rekor.Entry> tlog,
                                Rekor.Binding binding, TrustMaterial trust) {
        Optional<Signer> signer = certificate.map(Fulcio::signer);
        try {
            if (certificate.isPresent()) {
                X509Certificate leaf = certificate.get();
                if (!verifiedBy.test(leaf.getPublicKey())) {
                    throw new Rejected("signature does not verify with its certificate's key (payload altered?)");
                }
                Optional<TrustPolicy.TrustedKey> key = trustedKey(leaf.getPublicKey(), trust.policy());
                if (key.isPresent()) return byKey(kind, artifact, key.get(), tlog, binding, trust);
                if (tlog.isEmpty()) {
                    throw new Rejected("keyless signature without a Rekor entry: when it was made cannot be established");
                }
                Rekor.checkBody(tlog.get(), binding);
                Instant signedAt = Rekor.verify(tlog.get(), trust).orElseThrow(() -> new Rejected(
                        "keyless signature without a signed entry timestamp: its inclusion proof shows it was logged, "
                                + "not when, so the certificate's validity cannot be checked"));
                Fulcio.Verified verified = Fulcio.verify(leaf, signedAt, trust);
                return SignatureCheck.verified(kind, artifact, verified.signer(), verified.trustedBy(),
                        Optional.of(signedAt), "signed by " + verified.signer().identity().orElse("?") + " ("
                                + verified.signer().oidcIssuer().orElse("?") + "), logged in Rekor at " + signedAt);
            }
            for (TrustPolicy.TrustedKey key : trust.policy().keys()) {
                if (verifiedBy.test(key.key())) return byKey(kind, artifact, key, tlog, binding, trust);
            }
            throw new Rejected(trust.policy().keys().isEmpty()
                    ? "key not in the policy: the policy trusts no keys"
                    : "key not in the policy: no trusted key verifies the signature");
        } catch (Rejected e) {
            return SignatureCheck.failed(kind, artifact, signer, e.getMessage());
        }
    }

    /**
     * A signature by a trusted key needs no log entry; one that comes with an entry of an installed log must have a
     * valid one (a forged entry is a forgery), and then says when it was made.
     */
    private static SignatureCheck byKey(SignatureKind kind, Digest artifact, TrustPolicy.TrustedKey key,
                                        Optional<Rekor.Entry> tlog, Rekor.Binding binding, TrustMaterial trust)
            throws Rejected {
        Optional<Instant> signedAt = Optional.empty();
        if (tlog.isPresent() && logInstalled(tlog.get().logId(), trust)) {
            Rekor.checkBody(tlog.get(), binding);
            signedAt = Rekor.verify(tlog.get(), trust);
        }
        return SignatureCheck.verified(kind, artifact, Signer.key(Crypto.keyId(key.key())), "key " + key.name(),
                signedAt, "signed with trusted key " + key.name());
    }

    static Optional<TrustPolicy.TrustedKey> trustedKey(PublicKey key, TrustPolicy policy) {
        return policy.keys().stream().filter(k -> Arrays.equals(k.key().getEncoded(), key.getEncoded())).findFirst();
    }

    private static boolean logInstalled(byte[] logId, TrustMaterial trust) {
        for (SigstoreTrustedRoot root : trust.sigstoreRoots()) {
            for (SigstoreTrustedRoot.TransparencyLog log : root.transparencyLogs()) {
                if (Arrays.equals(log.logId(), logId)) return true;
            }
        }
        return false;
    }
}
