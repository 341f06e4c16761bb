package dev.stowage.core.spi;

import dev.stowage.core.Digest;

import java.time.Instant;
import java.util.List;

/**
 * A stored manifest: its exact bytes and the facts the registry indexes. {@code blobs} are the config and layer
 * (or other) blobs it references; {@code manifests} the child manifests of an index. {@code artifactType} is
 * the effective artifact type (the manifest's artifactType, else its config media type), null for an index
 * without one. {@code pushedAt} is set by the store when absent. The reference lists are what a put records;
 * reads leave them empty (the payload lists them), so the pull hot path stays one query.
 */
public record ManifestRecord(
        Digest digest,
        String mediaType,
        byte[] payload,
        String artifactType,
        Digest subject,
        List<Digest> blobs,
        List<Digest> manifests,
        Instant pushedAt) {

    public ManifestRecord {
        blobs = List.copyOf(blobs);
        manifests = List.copyOf(manifests);
    }

    public long size() { return payload.length; }
}
