package dev.stowage.signatures;

import dev.stowage.core.Digest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Verifies every signature found for one manifest with the formats that recognise them. Bounded: at most
 * {@link #MAX_ARTIFACTS} artifacts are looked at (a flood of signatures on one image costs no more than that), and an
 * artifact no format recognises is reported as such, never skipped silently.
 */
public final class SignatureVerifier {
    /** How many signature artifacts of one manifest are verified; the rest are reported as not checked. */
    public static final int MAX_ARTIFACTS = 64;

    private final List<SignatureFormat> formats;

    public SignatureVerifier(List<SignatureFormat> formats) {
        this.formats = List.copyOf(formats);
    }

    /** Every format Stowage knows: cosign's tag scheme, Sigstore bundles, Notation JWS and COSE, in-toto. */
    public static SignatureVerifier standard() {
        return new SignatureVerifier(java.util.stream.Stream.concat(
                dev.stowage.signatures.sigstore.SigstoreFormats.all().stream(),
                dev.stowage.signatures.notation.NotationFormats.all().stream()).toList());
    }

    public Optional<SignatureFormat> formatOf(SignatureArtifact artifact) {
        return formats.stream().filter(f -> f.recognises(artifact)).findFirst();
    }

    public List<SignatureCheck> verify(Digest subject, List<SignatureArtifact> artifacts, TrustMaterial trust,
                                       Instant now) {
        List<SignatureCheck> checks = new ArrayList<>();
        int looked = 0;
        SignatureArtifact firstSkipped = null;
        int skipped = 0;
        for (SignatureArtifact artifact : artifacts) {
            Optional<SignatureFormat> format = formatOf(artifact);
            if (format.isEmpty()) continue;
            if (looked++ >= MAX_ARTIFACTS) {
                if (skipped++ == 0) firstSkipped = artifact;
                continue;
            }
            try {
                checks.addAll(format.get().verify(artifact, subject, trust, now));
            } catch (RuntimeException e) {
                // a format must not throw; if one does, the signature is unverified, never the whole image's status lost
                checks.add(SignatureCheck.failed(SignatureKind.likelyOf(artifact), artifact.digest(), Optional.empty(),
                        "could not be verified: " + e.getClass().getSimpleName()));
            }
        }
        if (skipped > 0) {
            // one line for the lot: a flood of signatures must not make the stored status as big as the flood
            checks.add(SignatureCheck.failed(SignatureKind.likelyOf(firstSkipped), firstSkipped.digest(), Optional.empty(),
                    "not checked, with " + (skipped - 1) + " more: only " + MAX_ARTIFACTS
                            + " signature artifacts of one image are verified"));
        }
        return List.copyOf(checks);
    }
}
