package dev.stowage.core.access;

import dev.stowage.core.RepositoryName;
import dev.stowage.core.Tag;
import dev.stowage.core.manifest.ParsedManifest;
import dev.stowage.core.spi.ManifestRecord;

import java.util.Optional;

/**
 * Governance decisions the registry service enforces before it writes or serves: immutable tags, quotas,
 * pull policies arrive as implementations. Each method throws a RegistryException to refuse.
 */
public interface RegistryPolicy {
    default void beforeManifestPut(RepositoryName repository, ParsedManifest manifest, Optional<Tag> tag) {}

    default void beforeManifestDelete(RepositoryName repository, ManifestRecord manifest) {}

    default void beforeTagDelete(RepositoryName repository, Tag tag) {}

    default void beforeManifestPull(RepositoryName repository, ManifestRecord manifest) {}

    RegistryPolicy PERMISSIVE = new RegistryPolicy() { };
}
