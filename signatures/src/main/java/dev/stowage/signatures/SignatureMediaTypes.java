package dev.stowage.signatures;

import dev.stowage.core.Digest;

import java.util.Set;

/** The media and artifact types, and cosign's tag names, by which signatures and attestations are found. */
public final class SignatureMediaTypes {
    private SignatureMediaTypes() {
    }

    public static final String COSIGN_SIMPLE_SIGNING = "application/vnd.dev.cosign.simplesigning.v1+json";
    public static final String SIGSTORE_BUNDLE_V03 = "application/vnd.dev.sigstore.bundle.v0.3+json";
    public static final String SIGSTORE_BUNDLE_PREFIX = "application/vnd.dev.sigstore.bundle";
    public static final String NOTATION_SIGNATURE = "application/vnd.cncf.notary.signature";
    public static final String JWS_ENVELOPE = "application/jose+json";
    public static final String COSE_ENVELOPE = "application/cose";
    public static final String DSSE_ENVELOPE = "application/vnd.dsse.envelope.v1+json";
    public static final String IN_TOTO = "application/vnd.in-toto+json";

    /** cosign's signature tag for {@code manifest}: {@code sha256-<hex>.sig}. */
    public static String cosignSignatureTag(Digest manifest) {
        return manifest.algorithm() + "-" + manifest.hex() + ".sig";
    }

    /** cosign's attestation tag for {@code manifest}: {@code sha256-<hex>.att}. */
    public static String cosignAttestationTag(Digest manifest) {
        return manifest.algorithm() + "-" + manifest.hex() + ".att";
    }

    /**
     * Whether a referrer with this artifact type (the manifest's artifactType, else its config media type) may carry a
     * signature or attestation, before any of its blobs is read.
     */
    public static boolean mayCarrySignatures(String artifactType) {
        if (artifactType == null) return false;
        return artifactType.startsWith(SIGSTORE_BUNDLE_PREFIX) || REFERRER_TYPES.contains(artifactType);
    }

    private static final Set<String> REFERRER_TYPES = Set.of(NOTATION_SIGNATURE, DSSE_ENVELOPE, IN_TOTO,
            COSIGN_SIMPLE_SIGNING);
}
