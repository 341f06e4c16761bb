package dev.stowage.core.service;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.stowage.core.Digest;
import dev.stowage.core.Reference;
import dev.stowage.core.RepositoryName;
import dev.stowage.core.Tag;
import dev.stowage.core.spi.ManifestRecord;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Manifests and tag resolutions recently read, so that the pull hot path (manifest GET/HEAD by tag) can be
 * answered without a metadata query or a thread hand-off.
 *
 * <p>Manifests by digest are immutable, so they stay until evicted or deleted. Tags move: every local write
 * invalidates what it changes, and a read only fills the cache when no write happened while it ran (a generation
 * counter), so a slow reader can never put back what a writer just replaced. Writes (tag moves and deletions) on
 * other nodes are not seen here, so with a shared database every entry also expires after {@code ttl}; with the
 * embedded database there is one node and entries need not expire.
 */
final class ManifestCache {
    private record Key(RepositoryName repository, String reference) {}

    private final Cache<Key, ManifestRecord> manifests;
    private final Cache<Key, Digest> tags;
    private final AtomicLong generation = new AtomicLong();

    ManifestCache(long maxBytes, Duration ttl) {
        boolean expires = ttl != null && !ttl.isNegative();
        Caffeine<Object, Object> manifestBuilder = Caffeine.newBuilder().maximumWeight(maxBytes);
        Caffeine<Object, Object> tagBuilder = Caffeine.newBuilder().maximumSize(Math.max(1000, maxBytes / 256));
        if (expires) {
            manifestBuilder.expireAfterWrite(ttl);
            tagBuilder.expireAfterWrite(ttl);
        }
        this.manifests = manifestBuilder.<Key, ManifestRecord>weigher((k, m) -> m.payload().length + 256).build();
        this.tags = tagBuilder.build();
    }

    /** A cached answer for a manifest GET, or empty: never blocks. */
    Optional<ManifestRecord> find(RepositoryName repository, Reference reference) {
        Digest digest = switch (reference) {
            case Reference.ByDigest d -> d.digest();
            case Reference.ByTag t -> tags.getIfPresent(new Key(repository, t.tag().value()));
        };
        if (digest == null) return Optional.empty();
        return Optional.ofNullable(manifests.getIfPresent(new Key(repository, digest.toString())));
    }

    /** Reads through {@code loader}, caching the result unless a write happened meanwhile. */
    Optional<ManifestRecord> load(RepositoryName repository, Reference reference,
                                  Supplier<Optional<ManifestRecord>> loader) {
        long before = generation.get();
        Optional<ManifestRecord> found = loader.get();
        if (found.isPresent() && generation.get() == before) {
            ManifestRecord m = found.get();
            manifests.put(new Key(repository, m.digest().toString()), m);
            if (reference instanceof Reference.ByTag t) tags.put(new Key(repository, t.tag().value()), m.digest());
        }
        return found;
    }

    /** Call after a write has reached the metadata store. */
    void tagChanged(RepositoryName repository, Tag tag) {
        generation.incrementAndGet();
        tags.invalidate(new Key(repository, tag.value()));
    }

    /** Call after a manifest (and with it any tag on it) was deleted from the metadata store. */
    void manifestDeleted(RepositoryName repository, Digest digest) {
        generation.incrementAndGet();
        manifests.invalidate(new Key(repository, digest.toString()));
    }
}
