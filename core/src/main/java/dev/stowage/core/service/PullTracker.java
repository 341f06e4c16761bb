package dev.stowage.core.service;

import dev.stowage.core.Digest;
import dev.stowage.core.RepositoryName;
import dev.stowage.core.spi.MetadataStore;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When each manifest was last pulled, for the pull-based retention rules. A pull only notes the time in memory (one
 * map write, safe on the event loop); {@link #flush} writes the latest time per manifest in one batch, so a
 * manifest pulled a thousand times between flushes costs one row update.
 */
public final class PullTracker {
    private record Key(RepositoryName repository, Digest digest) {}

    private final ConcurrentHashMap<Key, Long> pending = new ConcurrentHashMap<>();
    private final MetadataStore metadata;
    private final Clock clock;

    public PullTracker(MetadataStore metadata, Clock clock) {
        this.metadata = metadata;
        this.clock = clock;
    }

    public void pulled(RepositoryName repository, Digest digest) {
        pending.put(new Key(repository, digest), clock.millis());
    }

    /** Writes the pulls noted since the last flush; answers how many manifests were updated. */
    public int flush() {
        List<MetadataStore.Pull> batch = new ArrayList<>();
        for (Key key : List.copyOf(pending.keySet())) {
            Long at = pending.remove(key);
            if (at != null) batch.add(new MetadataStore.Pull(key.repository(), key.digest(), java.time.Instant.ofEpochMilli(at)));
        }
        if (!batch.isEmpty()) metadata.recordPulls(batch);
        return batch.size();
    }
}
