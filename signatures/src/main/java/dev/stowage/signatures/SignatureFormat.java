package dev.stowage.signatures;

import dev.stowage.core.Digest;

import java.time.Instant;
import java.util.List;

/**
 * One signature format: recognises its artifacts and verifies the signatures they carry against a trust policy.
 * Never throws for bad input: a malformed envelope, a missing blob or an unknown algorithm is a failed check with
 * the reason. Every verification checks that the signed payload names {@code subject}, the exact manifest digest.
 */
public interface SignatureFormat {
    boolean recognises(SignatureArtifact artifact);

    /** One check per signature the artifact carries (a cosign manifest may hold several layers). */
    List<SignatureCheck> verify(SignatureArtifact artifact, Digest subject, TrustMaterial trust, Instant now);
}
