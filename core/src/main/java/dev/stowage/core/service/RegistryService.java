package dev.stowage.core.service;

import dev.stowage.core.Descriptor;
import dev.stowage.core.Digest;
import dev.stowage.core.ErrorCode;
import dev.stowage.core.Reference;
import dev.stowage.core.RegistryException;
import dev.stowage.core.RepositoryName;
import dev.stowage.core.Tag;
import dev.stowage.core.access.RegistryPolicy;
import dev.stowage.core.manifest.ManifestParser;
import dev.stowage.core.manifest.ParsedManifest;
import dev.stowage.core.spi.BlobContent;
import dev.stowage.core.spi.BlobRecord;
import dev.stowage.core.spi.BlobStore;
import dev.stowage.core.spi.ManifestRecord;
import dev.stowage.core.spi.MetadataStore;
import dev.stowage.core.spi.UploadRecord;
import dev.stowage.core.spi.UploadSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * The registry's use cases over a blob store and a metadata store. Knows nothing of HTTP: callers pass parsed
 * names, digests and body sources, and receive results or RegistryExceptions carrying the spec's error codes.
 * Blocking; runs on virtual threads.
 */
public final class RegistryService {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryService.class);

    private final BlobStore blobs;
    private final MetadataStore metadata;
    private final RegistryPolicy policy;
    private final ServiceSettings settings;
    private final Clock clock;
    /** One request at a time may write to an upload; a second one racing on the same session is refused. */
    private final ConcurrentHashMap<String, ReentrantLock> uploadLocks = new ConcurrentHashMap<>();
    private final ManifestCache cache;
    private final PullTracker pulls;

    public RegistryService(BlobStore blobs, MetadataStore metadata, RegistryPolicy policy, ServiceSettings settings,
                           Clock clock) {
        this.blobs = blobs;
        this.metadata = metadata;
        this.policy = policy;
        this.settings = settings;
        this.clock = clock;
        this.cache = new ManifestCache(settings.manifestCacheBytes(), settings.tagCacheTtl());
        this.pulls = new PullTracker(metadata, clock);
    }

    public ServiceSettings settings() { return settings; }

    // --- blobs ----------------------------------------------------------------------------------------------

    public BlobRecord statBlob(RepositoryName repository, Digest digest) {
        return metadata.findLinkedBlob(repository, digest).orElseThrow(() -> blobUnknown(digest));
    }

    /** The blob's bytes, if this repository may serve them. */
    public BlobContent openBlob(RepositoryName repository, Digest digest) {
        statBlob(repository, digest);
        try {
            return blobs.open(digest).orElseThrow(() -> {
                LOG.error("blob {} is recorded in metadata but missing from storage", digest);
                return blobUnknown(digest);
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void deleteBlob(RepositoryName repository, Digest digest) {
        requireDeleteEnabled();
        policy.beforeBlobDelete(repository, digest);
        if (!metadata.unlinkBlob(repository, digest)) throw blobUnknown(digest);
    }

    // --- uploads --------------------------------------------------------------------------------------------

    public UploadStatus startUpload(RepositoryName repository) {
        policy.beforeRepositoryWrite(repository);
        Instant now = clock.instant();
        String id = UUID.randomUUID().toString();
        metadata.createUpload(new UploadRecord(id, repository, 0, now, now));
        try {
            blobs.createUpload(id).close();
        } catch (IOException e) {
            metadata.deleteUpload(id);
            throw new UncheckedIOException(e);
        }
        return new UploadStatus(repository, id, 0);
    }

    /** How many repositories holding a digest an automatic mount considers (in name order) before it gives up. */
    static final int MOUNT_CANDIDATES = 100;

    /**
     * Links a blob another repository holds, only from a repository the caller may pull ({@code mayPull}, decided by
     * the access layer): from {@code from} when given, else from the first of the repositories holding the blob that
     * the caller may pull (automatic mount discovery). When the blob cannot be mounted (absent, or held only where the
     * caller may not read it) an ordinary upload session is started instead, as the spec asks, so the answer tells
     * nothing about content the caller may not read.
     */
    public MountResult mount(RepositoryName repository, Digest digest, Optional<RepositoryName> from,
                             Predicate<RepositoryName> mayPull) {
        policy.beforeRepositoryWrite(repository);
        Optional<BlobRecord> source = from.isPresent()
                ? (mayPull.test(from.get()) ? metadata.findLinkedBlob(from.get(), digest) : Optional.empty())
                : readableSource(digest, mayPull);
        if (source.isPresent()) policy.beforeBlobStored(repository, digest, source.get().size());
        if (source.isPresent() && blobExists(digest)
                && metadata.linkIfPresent(repository, digest) == MetadataStore.BlobClaim.LINKED) {
            return new MountResult(source, Optional.empty());
        }
        return new MountResult(Optional.empty(), Optional.of(startUpload(repository)));
    }

    private Optional<BlobRecord> readableSource(Digest digest, Predicate<RepositoryName> mayPull) {
        for (RepositoryName candidate : metadata.repositoriesLinking(digest, MOUNT_CANDIDATES)) {
            if (mayPull.test(candidate)) return metadata.findLinkedBlob(candidate, digest);
        }
        return Optional.empty();
    }

    public UploadStatus uploadStatus(RepositoryName repository, String uploadId) {
        UploadRecord upload = findUpload(repository, uploadId);
        return new UploadStatus(repository, upload.id(), upload.offset());
    }

    /** Appends a chunk at the upload's offset (see {@link #whileWriting} for the Content-Range check). */
    public UploadStatus appendChunk(RepositoryName repository, String uploadId, OptionalLong rangeStart,
                                    BodySource body) {
        return whileWriting(repository, uploadId, rangeStart, body, (upload, sink) -> {
            body.drainTo(sink::write);
            sink.flush();
            long newOffset = sink.size();
            if (!metadata.advanceUpload(uploadId, upload.offset(), newOffset, clock.instant())) {
                throw new RegistryException(ErrorCode.RANGE_INVALID, "the upload moved while this chunk was written",
                        null, 416);
            }
            return new UploadStatus(repository, uploadId, newOffset);
        });
    }

    /**
     * Completes an upload: appends the optional last chunk, verifies the digest and publishes the blob. On a
     * digest mismatch the session is cancelled (its bytes are not what the client meant) and DIGEST_INVALID is
     * answered.
     */
    public BlobRecord completeUpload(RepositoryName repository, String uploadId, Digest digest,
                                     OptionalLong rangeStart, BodySource body) {
        return whileWriting(repository, uploadId, rangeStart, body, (upload, sink) -> {
            body.drainTo(sink::write);
            long size;
            try {
                policy.beforeRepositoryWrite(repository); // the project may have been deleted since the upload began
                policy.beforeBlobStored(repository, digest, sink.size());
            } catch (RegistryException refused) {
                sink.close();
                cancelQuietly(uploadId);
                throw refused;
            }
            try {
                // Before anything stored under that digest is linked here: wrong bytes must not buy a link to
                // content of another repository.
                sink.verify(digest);
                awaitDeletion(repository, digest);
                size = sink.commit(digest);
            } catch (UploadSink.DigestMismatchException e) {
                sink.close();
                cancelQuietly(uploadId);
                throw new RegistryException(ErrorCode.DIGEST_INVALID, "uploaded content does not match "
                        + digest + ": it hashes to " + e.actual(), Map.of("digest", digest.toString()));
            }
            metadata.recordBlob(repository, digest, size);
            metadata.deleteUpload(uploadId);
            return new BlobRecord(digest, size);
        });
    }

    /** How long a push waits for the collector to finish deleting the very blob it is committing. */
    private static final Duration DELETION_WAIT = Duration.ofSeconds(30);

    /**
     * Before committing bytes that may be stored already: links a present blob (so the collector leaves it alone),
     * or waits while the collector deletes it, so the commit writes the bytes anew instead of keeping a file that is
     * about to go.
     */
    private void awaitDeletion(RepositoryName repository, Digest digest) {
        long deadline = System.nanoTime() + DELETION_WAIT.toNanos();
        while (metadata.linkIfPresent(repository, digest) == MetadataStore.BlobClaim.DELETING) {
            if (System.nanoTime() > deadline) {
                throw new RegistryException(ErrorCode.UNAVAILABLE, "the blob " + digest
                        + " is being garbage collected; push it again in a moment", null, 503);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RegistryException(ErrorCode.UNAVAILABLE, "interrupted", null, 503);
            }
        }
    }

    @FunctionalInterface
    private interface UploadWrite<T> {
        T write(UploadRecord upload, UploadSink sink) throws IOException;
    }

    /**
     * Runs {@code work} with the upload's sink, holding the upload's lock, after checking that a chunk's
     * {@code rangeStart} (from Content-Range) is where the upload stands: an out-of-order or repeated chunk is
     * refused with 416 and the session is unchanged.
     */
    private <T> T whileWriting(RepositoryName repository, String uploadId, OptionalLong rangeStart, BodySource body,
                               UploadWrite<T> work) {
        findUploadOrDiscard(repository, uploadId, body);
        ReentrantLock lock = lockUpload(uploadId, body);
        try {
            UploadRecord upload = findUploadOrDiscard(repository, uploadId, body);
            if (rangeStart.isPresent() && rangeStart.getAsLong() != upload.offset()) {
                body.discard();
                throw new RegistryException(ErrorCode.RANGE_INVALID, "chunk starts at " + rangeStart.getAsLong()
                        + " but the upload is at offset " + upload.offset(), null, 416);
            }
            try (UploadSink sink = blobs.resumeUpload(uploadId, upload.offset())) {
                return work.write(upload, sink);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            unlockUpload(uploadId, lock);
        }
    }

    /** A whole blob in one request (POST with ?digest=). */
    public BlobRecord uploadMonolithic(RepositoryName repository, Digest digest, BodySource body) {
        UploadStatus upload;
        try {
            upload = startUpload(repository);
        } catch (RuntimeException e) {
            body.discard();
            throw e;
        }
        return completeUpload(repository, upload.id(), digest, OptionalLong.empty(), body);
    }

    public void cancelUpload(RepositoryName repository, String uploadId) {
        findUpload(repository, uploadId);
        cancelQuietly(uploadId);
    }

    /** Removes uploads idle longer than the configured expiry; answers how many. */
    public int expireUploads() {
        Instant cutoff = clock.instant().minus(settings.uploadExpiry());
        int removed = 0;
        List<UploadRecord> idle;
        do {
            idle = metadata.uploadsIdleSince(cutoff, 500);
            for (UploadRecord upload : idle) {
                cancelQuietly(upload.id());
                removed++;
            }
        } while (idle.size() == 500);
        return removed;
    }

    // --- manifests ------------------------------------------------------------------------------------------

    public PutManifestResult putManifest(RepositoryName repository, Reference reference, String contentType,
                                         byte[] payload) {
        if (payload.length > settings.maxManifestBytes()) throw manifestTooLarge();
        policy.beforeRepositoryWrite(repository);
        Digest digest;
        if (reference instanceof Reference.ByDigest byDigest) {
            digest = byDigest.digest();
            if (!digest.matches(payload)) {
                throw new RegistryException(ErrorCode.DIGEST_INVALID, "manifest content does not match " + digest
                        + ": it hashes to " + Digest.sha256Of(payload), Map.of("digest", digest.toString()));
            }
        } else {
            digest = Digest.sha256Of(payload);
        }
        ParsedManifest manifest = ManifestParser.parse(payload, contentType, digest);
        Optional<Tag> tag = reference.asTag();
        verifyReferences(repository, manifest);
        policy.beforeManifestPut(repository, manifest, tag);
        metadata.putManifest(repository, toRecord(manifest), tag, policy.manifestUsageCheck(repository, manifest));
        tag.ifPresent(t -> cache.tagChanged(repository, t));
        return new PutManifestResult(digest, manifest.subject().map(Descriptor::digest));
    }

    /** A manifest GET: the content a runtime runs, so the pull policies decide first. */
    public ManifestRecord getManifest(RepositoryName repository, Reference reference) {
        ManifestRecord manifest = load(repository, reference).orElseThrow(() -> manifestUnknown(repository, reference));
        policy.beforeManifestPull(repository, manifest);
        return manifest;
    }

    /**
     * A manifest HEAD: only its digest, type and size leave, which no runtime can run and which signing tools resolve
     * to sign an image that a project's policy will not let anyone pull until it is signed. Pull policies decide GETs.
     */
    public ManifestRecord headManifest(RepositoryName repository, Reference reference) {
        return findManifest(repository, reference).orElseThrow(() -> manifestUnknown(repository, reference));
    }

    /**
     * The manifest a reference names, through the same cache as pulls, without asking the pull policies: HEADs, and
     * admission reviews, which evaluate the image policy themselves to report every refusal rather than stop at the first.
     */
    public Optional<ManifestRecord> findManifest(RepositoryName repository, Reference reference) {
        Optional<ManifestRecord> cached = cache.find(repository, reference);
        return cached.isPresent() ? cached : load(repository, reference);
    }

    private Optional<ManifestRecord> load(RepositoryName repository, Reference reference) {
        return cache.load(repository, reference, () -> switch (reference) {
            case Reference.ByTag t -> metadata.findManifestByTag(repository, t.tag());
            case Reference.ByDigest d -> metadata.findManifest(repository, d.digest());
        });
    }

    /** Notes that a client downloaded the manifest (a GET, not a HEAD); written in batches by {@link #flushPulls}. */
    public void pulled(RepositoryName repository, Digest digest) {
        pulls.pulled(repository, digest);
    }

    /** Writes the pull times noted so far; call periodically and at shutdown. */
    public int flushPulls() {
        return pulls.flush();
    }

    /** The collector deleted this manifest: no cached copy may answer for it. */
    void manifestCollected(RepositoryName repository, Digest digest) {
        cache.manifestDeleted(repository, digest);
    }

    /** Retention deleted this manifest and its tags: neither may be answered from memory. */
    void manifestExpired(RepositoryName repository, Digest digest, List<String> tags) {
        for (String tag : tags) cache.tagChanged(repository, Tag.of(tag));
        cache.manifestDeleted(repository, digest);
    }

    BlobStore blobStore() { return blobs; }

    MetadataStore metadataStore() { return metadata; }

    RegistryPolicy policy() { return policy; }

    Clock clock() { return clock; }

    /**
     * The manifest if it can be answered from memory without blocking (for the event loop), else empty and the
     * caller falls back to {@link #getManifest} on a thread that may block.
     */
    public Optional<ManifestRecord> cachedManifest(RepositoryName repository, Reference reference) {
        return cachedManifest(repository, reference, false);
    }

    /** As {@link #cachedManifest(RepositoryName, Reference)}, for a HEAD ({@link #headManifest}) when {@code head}. */
    public Optional<ManifestRecord> cachedManifest(RepositoryName repository, Reference reference, boolean head) {
        Optional<ManifestRecord> cached = cache.find(repository, reference);
        if (head) return cached;
        if (cached.isPresent() && !policy.decidesPullWithoutBlocking(repository, cached.get())) return Optional.empty();
        cached.ifPresent(m -> policy.beforeManifestPull(repository, m));
        return cached;
    }

    /** By digest: deletes the manifest and every tag on it. By tag: deletes only the tag. */
    /**
     * Deletes a tag (the manifest stays) or a manifest; answers the digest of the manifest the reference named, for
     * the audit trail and events (a tag's, as it was just before the delete).
     */
    public Digest deleteManifest(RepositoryName repository, Reference reference) {
        requireDeleteEnabled();
        return switch (reference) {
            case Reference.ByTag t -> {
                policy.beforeTagDelete(repository, t.tag());
                Optional<Digest> named = metadata.findManifestByTag(repository, t.tag()).map(ManifestRecord::digest);
                boolean deleted = metadata.deleteTag(repository, t.tag());
                cache.tagChanged(repository, t.tag());
                if (!deleted || named.isEmpty()) throw manifestUnknown(repository, reference);
                yield named.get();
            }
            case Reference.ByDigest d -> {
                ManifestRecord manifest = metadata.findManifest(repository, d.digest())
                        .orElseThrow(() -> manifestUnknown(repository, reference));
                policy.beforeManifestDelete(repository, manifest);
                boolean deleted = metadata.deleteManifest(repository, d.digest());
                cache.manifestDeleted(repository, d.digest());
                if (!deleted) throw manifestUnknown(repository, reference);
                yield d.digest();
            }
        };
    }

    // --- listing --------------------------------------------------------------------------------------------

    public Page<Tag> listTags(RepositoryName repository, Optional<Integer> n, Optional<String> last) {
        int limit = pageSize(n);
        if (!metadata.repositoryExists(repository)) {
            throw new RegistryException(ErrorCode.NAME_UNKNOWN, "repository name not known to registry: " + repository,
                    Map.of("name", repository.value()));
        }
        if (limit == 0) return new Page<>(List.of(), Optional.empty());
        List<Tag> tags = metadata.listTags(repository, last.orElse(null), limit + 1);
        return page(tags, limit, Tag::value);
    }

    public Page<RepositoryName> catalog(Optional<Integer> n, Optional<String> last) {
        int limit = pageSize(n);
        if (limit == 0) return new Page<>(List.of(), Optional.empty());
        List<RepositoryName> names = metadata.listRepositories(last.orElse(null), limit + 1);
        return page(names, limit, RepositoryName::value);
    }

    /** Manifests whose subject is {@code subject}, as descriptors, optionally filtered by artifact type. */
    public List<Descriptor> referrers(RepositoryName repository, Digest subject, Optional<String> artifactType) {
        List<Descriptor> out = new ArrayList<>();
        for (ManifestRecord m : metadata.findReferrers(repository, subject, artifactType)) {
            out.add(new Descriptor(m.mediaType(), m.digest(), m.size(), m.artifactType(),
                    ManifestParser.annotationsOf(m.payload())));
        }
        return out;
    }

    // --- internals ------------------------------------------------------------------------------------------

    /**
     * Everything the manifest references must be in this repository already (pushed or mounted here, where the
     * caller's access was checked): content of other repositories is never reachable through a manifest. Set-based,
     * so a manifest with tens of thousands of layers costs a few queries.
     */
    private void verifyReferences(RepositoryName repository, ParsedManifest manifest) {
        if (!manifest.blobs().isEmpty()) {
            Map<Digest, Long> linked = metadata.findLinkedBlobs(repository,
                    manifest.blobs().stream().map(Descriptor::digest).toList());
            for (Descriptor blob : manifest.blobs()) {
                Long size = linked.get(blob.digest());
                if (size == null) {
                    throw new RegistryException(ErrorCode.MANIFEST_BLOB_UNKNOWN, "blob unknown to registry: "
                            + blob.digest(), Map.of("digest", blob.digest().toString()));
                }
                if (size != blob.size()) {
                    throw new RegistryException(ErrorCode.MANIFEST_INVALID, "descriptor of " + blob.digest()
                            + " says size " + blob.size() + " but the blob has " + size + " bytes");
                }
            }
        }
        if (!manifest.children().isEmpty()) {
            Set<Digest> stored = metadata.findManifests(repository,
                    manifest.children().stream().map(Descriptor::digest).toList());
            for (Descriptor child : manifest.children()) {
                if (!stored.contains(child.digest())) {
                    throw new RegistryException(ErrorCode.MANIFEST_BLOB_UNKNOWN, "manifest unknown to registry: "
                            + child.digest(), Map.of("digest", child.digest().toString()));
                }
            }
        }
    }

    private static ManifestRecord toRecord(ParsedManifest m) {
        return new ManifestRecord(m.digest(), m.mediaType(), m.payload(), m.effectiveArtifactType().orElse(null),
                m.subject().map(Descriptor::digest).orElse(null),
                m.blobs().stream().map(Descriptor::digest).distinct().toList(),
                m.children().stream().map(Descriptor::digest).distinct().toList(), null);
    }

    private int pageSize(Optional<Integer> n) {
        if (n.isEmpty()) return settings.maxPageSize();
        if (n.get() < 0) {
            throw new RegistryException(ErrorCode.PAGINATION_NUMBER_INVALID, "n must be a non-negative integer",
                    Map.of("n", n.get()));
        }
        return Math.min(n.get(), settings.maxPageSize());
    }

    private static <T> Page<T> page(List<T> items, int limit, java.util.function.Function<T, String> key) {
        if (items.size() <= limit) return new Page<>(items, Optional.empty());
        List<T> shown = items.subList(0, limit);
        return new Page<>(List.copyOf(shown), Optional.of(key.apply(shown.get(limit - 1))));
    }

    private UploadRecord findUpload(RepositoryName repository, String uploadId) {
        return metadata.findUpload(repository, uploadId).orElseThrow(() -> new RegistryException(
                ErrorCode.BLOB_UPLOAD_UNKNOWN, "upload unknown: " + uploadId, Map.of("uuid", uploadId)));
    }

    private UploadRecord findUploadOrDiscard(RepositoryName repository, String uploadId, BodySource body) {
        try {
            return findUpload(repository, uploadId);
        } catch (RuntimeException e) {
            body.discard();
            throw e;
        }
    }

    private ReentrantLock lockUpload(String uploadId, BodySource body) {
        ReentrantLock lock = uploadLocks.computeIfAbsent(uploadId, id -> new ReentrantLock());
        if (!lock.tryLock()) {
            body.discard();
            throw new RegistryException(ErrorCode.BLOB_UPLOAD_INVALID,
                    "another request is writing to upload " + uploadId, null, 416);
        }
        return lock;
    }

    private void unlockUpload(String uploadId, ReentrantLock lock) {
        lock.unlock();
        if (!lock.hasQueuedThreads()) uploadLocks.remove(uploadId, lock);
    }

    private void cancelQuietly(String uploadId) {
        try {
            blobs.deleteUpload(uploadId);
        } catch (IOException e) {
            LOG.warn("could not remove temporary data of upload {}: {}", uploadId, e.toString());
            return; // keep the record so a later expiry sweep retries
        }
        metadata.deleteUpload(uploadId);
    }

    private boolean blobExists(Digest digest) {
        try {
            return blobs.exists(digest);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void requireDeleteEnabled() {
        if (!settings.deleteEnabled()) {
            throw new RegistryException(ErrorCode.UNSUPPORTED, "deletion is disabled on this registry", null, 405);
        }
    }

    private RegistryException manifestTooLarge() {
        return new RegistryException(ErrorCode.SIZE_INVALID, "manifest exceeds the limit of "
                + settings.maxManifestBytes() + " bytes", null, 413);
    }

    private static RegistryException manifestUnknown(RepositoryName repository, Reference reference) {
        return new RegistryException(ErrorCode.MANIFEST_UNKNOWN, "manifest unknown: " + repository + ":" + reference,
                Map.of("name", repository.value(), "reference", reference.toString()));
    }

    private static RegistryException blobUnknown(Digest digest) {
        return new RegistryException(ErrorCode.BLOB_UNKNOWN, "blob unknown to registry: " + digest,
                Map.of("digest", digest.toString()));
    }

}
