package dev.stowage.scanning.sbom;

import java.util.Optional;

/**
 * The SBOM document formats Stowage writes. The media type is both the document's content type and the
 * {@code artifactType} of the OCI referrer that attaches it to its image (what {@code oras discover} filters on).
 */
public enum SbomFormat {
    CYCLONEDX_JSON("application/vnd.cyclonedx+json"),
    SPDX_JSON("application/spdx+json");

    private final String mediaType;

    SbomFormat(String mediaType) {
        this.mediaType = mediaType;
    }

    public String mediaType() {
        return mediaType;
    }

    /** The format whose media type this is (parameters such as {@code ; version=1.6} ignored). */
    public static Optional<SbomFormat> ofMediaType(String mediaType) {
        if (mediaType == null) return Optional.empty();
        String bare = mediaType.split(";", 2)[0].trim();
        for (SbomFormat format : values()) {
            if (format.mediaType.equalsIgnoreCase(bare)) return Optional.of(format);
        }
        return Optional.empty();
    }
}
