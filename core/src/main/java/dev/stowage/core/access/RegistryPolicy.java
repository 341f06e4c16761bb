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

    /**
     * What the manifest put must check of its project's usage inside the write that records it (see
     * {@link dev.stowage.core.spi.MetadataStore#putManifest(RepositoryName, ManifestRecord, Optional,
     * dev.stowage.core.spi.MetadataStore.UsageCheck)}): a check before the write would let racing puts each see the
     * usage without the others'. Runs after {@link #beforeManifestPut}.
     */
    default dev.stowage.core.spi.MetadataStore.UsageCheck manifestUsageCheck(RepositoryName repository,
                                                                             ParsedManifest manifest) {
        return dev.stowage.core.spi.MetadataStore.UsageCheck.NONE;
    }

    default void beforeManifestDelete(RepositoryName repository, ManifestRecord manifest) {}

    default void beforeTagDelete(RepositoryName repository, Tag tag) {}

    /** Before {@code repository}'s link to a blob is removed (a blob DELETE). */
    default void beforeBlobDelete(RepositoryName repository, dev.stowage.core.Digest digest) {}

    default void beforeManifestPull(RepositoryName repository, ManifestRecord manifest) {}

    /**
     * Whether {@link #beforeManifestPull} can decide this pull from memory alone. A pull answered on the event loop
     * (a cached manifest) asks first and, when a policy would have to wait for I/O, goes to a thread that may block.
     */
    default boolean decidesPullWithoutBlocking(RepositoryName repository, ManifestRecord manifest) {
        return true;
    }

    /** Before a blob of {@code size} bytes is stored in (or mounted into) {@code repository}. */
    default void beforeBlobStored(RepositoryName repository, dev.stowage.core.Digest digest, long size) {}

    /**
     * Before anything is written to {@code repository} (an upload started or completed, a mount, a manifest put):
     * the first write of a push, where a repository outside any project is refused.
     */
    default void beforeRepositoryWrite(RepositoryName repository) {}

    RegistryPolicy PERMISSIVE = new RegistryPolicy() { };

    /** Every policy in turn; the first refusal wins. */
    static RegistryPolicy all(RegistryPolicy... policies) {
        java.util.List<RegistryPolicy> list = java.util.List.of(policies);
        return new RegistryPolicy() {
            @Override
            public void beforeManifestPut(RepositoryName repository, ParsedManifest manifest, Optional<Tag> tag) {
                list.forEach(p -> p.beforeManifestPut(repository, manifest, tag));
            }

            @Override
            public dev.stowage.core.spi.MetadataStore.UsageCheck manifestUsageCheck(RepositoryName repository,
                                                                                    ParsedManifest manifest) {
                java.util.List<dev.stowage.core.spi.MetadataStore.UsageCheck> checks = list.stream()
                        .map(p -> p.manifestUsageCheck(repository, manifest))
                        .filter(c -> c != dev.stowage.core.spi.MetadataStore.UsageCheck.NONE).toList();
                if (checks.isEmpty()) return dev.stowage.core.spi.MetadataStore.UsageCheck.NONE;
                return project -> checks.forEach(c -> c.check(project));
            }

            @Override
            public void beforeManifestDelete(RepositoryName repository, ManifestRecord manifest) {
                list.forEach(p -> p.beforeManifestDelete(repository, manifest));
            }

            @Override
            public void beforeTagDelete(RepositoryName repository, Tag tag) {
                list.forEach(p -> p.beforeTagDelete(repository, tag));
            }

            @Override
            public void beforeBlobDelete(RepositoryName repository, dev.stowage.core.Digest digest) {
                list.forEach(p -> p.beforeBlobDelete(repository, digest));
            }

            @Override
            public void beforeManifestPull(RepositoryName repository, ManifestRecord manifest) {
                list.forEach(p -> p.beforeManifestPull(repository, manifest));
            }

            @Override
            public boolean decidesPullWithoutBlocking(RepositoryName repository, ManifestRecord manifest) {
                return list.stream().allMatch(p -> p.decidesPullWithoutBlocking(repository, manifest));
            }

            @Override
            public void beforeBlobStored(RepositoryName repository, dev.stowage.core.Digest digest, long size) {
                list.forEach(p -> p.beforeBlobStored(repository, digest, size));
            }

            @Override
            public void beforeRepositoryWrite(RepositoryName repository) {
                list.forEach(p -> p.beforeRepositoryWrite(repository));
            }
        };
    }
}
