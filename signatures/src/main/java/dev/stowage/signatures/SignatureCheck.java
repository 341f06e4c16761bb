package dev.stowage.signatures;

import dev.stowage.core.Digest;

import java.time.Instant;
import java.util.Optional;

/**
 * The verdict on one signature of one manifest: verified by the trust policy or why not. {@code artifact} is the
 * referrer or cosign tag manifest that carried it; {@code trustedBy} names the policy entry (key, X.509 trust store,
 * keyless identity) that verified it. {@code reason} is a sentence for people: the failure, or what was verified.
 */
public record SignatureCheck(SignatureKind kind, Digest artifact, boolean verified, Optional<Signer> signer,
                             Optional<String> trustedBy, Optional<Instant> signedAt, String reason) {

    public static SignatureCheck failed(SignatureKind kind, Digest artifact, Optional<Signer> signer, String reason) {
        return new SignatureCheck(kind, artifact, false, signer, Optional.empty(), Optional.empty(), reason);
    }

    public static SignatureCheck verified(SignatureKind kind, Digest artifact, Signer signer, String trustedBy,
                                          Optional<Instant> signedAt, String reason) {
        return new SignatureCheck(kind, artifact, true, Optional.of(signer), Optional.of(trustedBy), signedAt, reason);
    }
}
