package dev.stowage.signatures;

import dev.stowage.core.Digest;

import java.util.Map;

/**
 * A stored artifact that may carry signatures of another manifest, as the registry holds it: its manifest's exact
 * bytes and the blobs that manifest references, read whole (every blob is at most {@link #MAX_BLOB_BYTES}; larger
 * ones are left out of {@code blobs} and the formats say so). {@code origin} says how it was found for its subject.
 */
public record SignatureArtifact(Digest digest, String mediaType, String artifactType, byte[] manifest,
                                Map<Digest, byte[]> blobs, Origin origin) {
    /** Signatures, certificates and bundles are small; a larger layer is not a signature anyone made. */
    public static final int MAX_BLOB_BYTES = 256 * 1024;
    /** How many layers of one signature manifest are read. */
    public static final int MAX_LAYERS = 32;

    public enum Origin {
        /** An OCI 1.1 referrer: its manifest's {@code subject} names the image. */
        REFERRER,
        /** cosign's tag scheme: the tag {@code sha256-<hex>.sig} (or {@code .att}) names the image. */
        COSIGN_TAG
    }

    public SignatureArtifact {
        blobs = Map.copyOf(blobs);
    }
}
