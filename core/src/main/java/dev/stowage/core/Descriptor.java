package dev.stowage.core;

import java.util.Map;

/** An OCI content descriptor as it appears in manifests, indexes and referrers responses. */
public record Descriptor(String mediaType, Digest digest, long size, String artifactType, Map<String, String> annotations) {
    public Descriptor {
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }
}
