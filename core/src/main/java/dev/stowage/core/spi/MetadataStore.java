package dev.stowage.core.spi;

import dev.stowage.core.Digest;
import dev.stowage.core.RepositoryName;
import dev.stowage.core.Tag;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything that names bytes: repositories, blob records and which repository may serve them, manifests with
 * their references, tags and uploads. Listing and lookups are indexed queries. Blocking; called from virtual
 * threads. Each method is one transaction.
 */
public interface MetadataStore extends AutoCloseable {

    // --- repositories ---------------------------------------------------------------------------------------

    boolean repositoryExists(RepositoryName repository);

    /** Repositories with names after {@code after} (exclusive; null for the start), lexical order, at most limit. */
    List<RepositoryName> listRepositories(String after, int limit);

    /**
     * A repository as administrators list it: its manifests, the bytes they hold (each distinct blob they reference
     * and their own bytes), the last push (a manifest stored or a tag moved) and the last recorded pull (null: none).
     */
    record RepositorySummary(RepositoryName name, long artifacts, long sizeBytes, Instant lastPushedAt,
                             Instant lastPulledAt) {}

    /** The live repositories of {@code project} with names after {@code after} (null: from the start), at most limit. */
    List<RepositorySummary> repositorySummaries(String project, String after, int limit);

    /**
     * A manifest as administrators list it: {@code sizeBytes} is its own bytes plus those of the blobs it references
     * (an index's children are artifacts of their own); {@code lastPulledAt} null when never pulled.
     */
    record ArtifactSummary(Digest digest, String mediaType, String artifactType, List<String> tags, long sizeBytes,
                           Instant pushedAt, Instant lastPulledAt) {}

    /** The manifests of {@code repository} with digests after {@code after} (null: from the start), at most limit. */
    List<ArtifactSummary> artifactSummaries(RepositoryName repository, String after, int limit);

    /** A manifest removed with its repository, and the tags that named it. */
    record RemovedManifest(Digest digest, List<String> tags) {}

    /**
     * Deletes the repository with its manifests, tags, references and blob links, in one transaction; answers what
     * was removed, or empty when there was no such repository. The bytes stay for the collector.
     */
    Optional<List<RemovedManifest>> deleteRepository(RepositoryName repository);

    // --- blobs ----------------------------------------------------------------------------------------------

    /** A blob whose bytes are committed, in any repository. */
    Optional<BlobRecord> findBlob(Digest digest);

    /**
     * Records committed bytes and links them to {@code repository} (created if absent), in one transaction.
     * Idempotent: recording an existing blob or link again changes nothing but the link's time.
     */
    void recordBlob(RepositoryName repository, Digest digest, long size);

    /** What {@link #linkIfPresent} found. */
    enum BlobClaim { LINKED, ABSENT, DELETING }

    /**
     * Links a stored blob to {@code repository} now, only if it is present: a fresh link keeps the collector away
     * from it for its grace period. Called before committing bytes that may already be stored, and to mount.
     * DELETING: the collector is removing it; wait and ask again.
     */
    BlobClaim linkIfPresent(RepositoryName repository, Digest digest);

    /** The blob if {@code repository} may serve it (pushed there or mounted, and not unlinked since). */
    Optional<BlobRecord> findLinkedBlob(RepositoryName repository, Digest digest);

    /**
     * {@link #findLinkedBlob} for many digests at once (a manifest's layers): the sizes of those {@code repository}
     * may serve; digests it may not serve are absent from the answer. A few set-based queries, not one per digest.
     */
    Map<Digest, Long> findLinkedBlobs(RepositoryName repository, Collection<Digest> digests);

    /**
     * Repositories that may serve the blob, in name order, at most {@code limit}: the candidates of an automatic
     * mount, which the caller filters by what it may pull.
     */
    List<RepositoryName> repositoriesLinking(Digest digest, int limit);

    /** Removes the link from repository to blob; answers whether there was one. The bytes stay for GC. */
    boolean unlinkBlob(RepositoryName repository, Digest digest);

    // --- garbage collection -----------------------------------------------------------------------------------

    /**
     * Mark: present blobs created before {@code cutoff} that no manifest references and no repository linked at or
     * after {@code cutoff}, in digest order after {@code after}.
     */
    List<BlobRecord> unreferencedBlobs(Instant cutoff, Optional<Digest> after, int limit);

    /**
     * Claims a blob for deletion if, checked again under its lock, it is still what {@link #unreferencedBlobs}
     * said: it becomes 'deleting' (manifest puts and mounts no longer see it) and its stale links go.
     */
    boolean claimBlobForDeletion(Digest digest, Instant cutoff, Instant now);

    /** Removes the row of a claimed blob whose bytes are gone. */
    void forgetBlob(Digest digest);

    /** Blobs claimed before {@code claimedBefore} and never finished (a collector stopped midway). */
    List<Digest> abandonedDeletions(Instant claimedBefore, int limit);

    /** A manifest as the collector sees it. */
    record StoredManifest(RepositoryName repository, Digest digest, long size) {}

    /**
     * Manifests pushed before {@code cutoff} that no tag names, no index in their repository lists, and that are
     * not a referrer of a manifest still there, in (repository, digest) order after {@code after}.
     */
    List<StoredManifest> untaggedManifests(Instant cutoff, Optional<StoredManifest> after, int limit);

    /** Deletes the manifest if, checked again under its lock, it is still untagged and unreferenced. */
    boolean deleteUntaggedManifest(RepositoryName repository, Digest digest, Instant cutoff);

    // --- uploads --------------------------------------------------------------------------------------------

    void createUpload(UploadRecord upload);

    Optional<UploadRecord> findUpload(RepositoryName repository, String uploadId);

    /**
     * Moves an upload's committed offset from {@code expectedOffset} to {@code newOffset}; answers false (and
     * changes nothing) when the stored offset is not {@code expectedOffset}, so that two requests racing on one
     * session cannot both succeed.
     */
    boolean advanceUpload(String uploadId, long expectedOffset, long newOffset, Instant now);

    void deleteUpload(String uploadId);

    /** Uploads whose last activity is before {@code cutoff}, oldest first. */
    List<UploadRecord> uploadsIdleSince(Instant cutoff, int limit);

    // --- manifests and tags ---------------------------------------------------------------------------------

    /**
     * Stores a manifest in a repository (created if absent) with its references, and points {@code tag} at it
     * when given, atomically. Storing the same manifest again is idempotent; a tag moves to the new manifest.
     * Everything it references must be in {@code repository} itself when it is written: its blobs linked there (and
     * present), its child manifests stored there; otherwise MANIFEST_BLOB_UNKNOWN and nothing is written. Content of
     * other repositories is never linked implicitly.
     */
    default void putManifest(RepositoryName repository, ManifestRecord manifest, Optional<Tag> tag) {
        putManifest(repository, manifest, tag, UsageCheck.NONE);
    }

    /**
     * As {@link #putManifest(RepositoryName, ManifestRecord, Optional)}, running {@code check} first inside the same
     * write, after every other write that adds to the project's usage has committed or waits for this one (on every
     * node sharing the database): what the check sees cannot change before the manifest is recorded, so two racing
     * puts cannot both fit a limit only one fits. A check that throws refuses the put; nothing is written then.
     */
    void putManifest(RepositoryName repository, ManifestRecord manifest, Optional<Tag> tag, UsageCheck check);

    /** A project as a write sees it while the project's usage is held still (see {@link UsageCheck}). */
    interface ProjectUsage {
        /** As {@link MetadataStore#projectUsage}. */
        dev.stowage.core.governance.Quota.Usage usage();

        /** As {@link MetadataStore#heldByProject}. */
        Set<Digest> held(Collection<Digest> digests);

        /** Whether {@code repository} stores the manifest already (putting it again adds no artifact). */
        boolean hasManifest(RepositoryName repository, Digest digest);
    }

    /** A check of a write's project usage (a quota), run inside the write; throws to refuse it. */
    @FunctionalInterface
    interface UsageCheck {
        UsageCheck NONE = project -> { };

        void check(ProjectUsage project);
    }

    Optional<ManifestRecord> findManifest(RepositoryName repository, Digest digest);

    /** Which of {@code digests} are manifests stored in {@code repository} (an index's children), set-based. */
    Set<Digest> findManifests(RepositoryName repository, Collection<Digest> digests);

    Optional<ManifestRecord> findManifestByTag(RepositoryName repository, Tag tag);

    /** Deletes a manifest, the tags that point at it and its references; answers whether it existed. */
    boolean deleteManifest(RepositoryName repository, Digest digest);

    /** Deletes a tag only (the manifest stays); answers whether it existed. */
    boolean deleteTag(RepositoryName repository, Tag tag);

    /** Tags after {@code after} (exclusive; null for the start), lexical order, at most limit. */
    List<Tag> listTags(RepositoryName repository, String after, int limit);

    /** An image as retention sees it: a manifest that is neither a referrer nor the child of an index. */
    record Image(RepositoryName repository, Digest digest, List<String> tags, Instant pushedAt, Instant lastPulledAt) {}

    /** The images of every repository of {@code project}, by repository then digest. */
    List<Image> images(String project);

    /** Manifests whose subject is {@code subject} in {@code repository} (signatures, SBOMs), any artifact type. */
    default List<ManifestRecord> referrersOf(RepositoryName repository, Digest subject) {
        return findReferrers(repository, subject, Optional.empty());
    }

    /**
     * What the project's artifacts hold: the bytes of the distinct blobs its manifests reference plus those of its
     * distinct manifests (content in several repositories of the project counts once), and the number of manifests.
     * Blobs linked but referenced by no manifest (a push under way, or one a quota refused) are not counted.
     */
    dev.stowage.core.governance.Quota.Usage projectUsage(String project);

    /**
     * Which of {@code digests} the project's usage already counts: blobs a manifest of the project references, and
     * manifests stored in the project (adding them again adds nothing). Set-based.
     */
    Set<Digest> heldByProject(String project, Collection<Digest> digests);

    /** A manifest pulled at a time. */
    record Pull(RepositoryName repository, Digest digest, Instant at) {}

    /** Moves each manifest's last-pulled time forward to the pull's (never back); one transaction for the batch. */
    void recordPulls(List<Pull> pulls);

    /** When the manifest was last pulled, as recorded so far. */
    Optional<Instant> lastPulled(RepositoryName repository, Digest digest);

    /** The tags that name {@code manifest} in {@code repository}, in byte order. */
    List<Tag> tagsOf(RepositoryName repository, Digest manifest);

    /**
     * The tags in {@code repository} whose image uses {@code blob}: tags on a manifest that references it, or on an
     * index whose child manifest does; in byte order.
     */
    List<Tag> tagsOfImagesUsing(RepositoryName repository, Digest blob);

    /** Manifests in {@code repository} whose subject is {@code subject}, optionally of one artifact type. */
    List<ManifestRecord> findReferrers(RepositoryName repository, Digest subject, Optional<String> artifactType);

    @Override
    default void close() {}
}
