package dev.stowage.scanner;

import dev.stowage.core.Digest;
import dev.stowage.core.RepositoryName;
import dev.stowage.scanning.inventory.Inventory;

/** Stores an image's SBOM documents and attaches them to it as OCI referrers. */
@FunctionalInterface
public interface SbomAttacher {
    SbomAttacher NONE = (repository, manifest, mediaType, size, inventory) -> { };

    void attach(RepositoryName repository, Digest manifest, String manifestMediaType, long manifestSize, Inventory inventory);
}
