package dev.stowage.core.service;

import dev.stowage.core.Digest;
import dev.stowage.core.spi.BlobRecord;
import dev.stowage.core.spi.BlobStore;
import dev.stowage.core.spi.MetadataStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Online garbage collection: removes untagged manifests (when asked) and blobs nothing references while the
 * registry serves pushes and pulls. Marking is a query over the metadata; each deletion is claimed in its own
 * transaction that checks the blob again under its row lock, so a manifest put or mount that got there first
 * wins, and one that comes later sees the blob gone (and the client uploads it again). Content younger than the
 * grace period is never touched: that covers pushes in flight, whose layers arrive before their manifest.
 */
public final class GarbageCollector {
    private static final Logger LOG = LoggerFactory.getLogger(GarbageCollector.class);
    private static final int BATCH = 10_000;
    /** Listed in a report, at most; the counts are always complete. */
    private static final int REPORT_LIMIT = 1_000;
    /** A claim older than this was left by a collector that stopped; pushes wait out younger ones. */
    private static final Duration ABANDONED = Duration.ofMinutes(1);
    /** Pushes send their layers, then the manifest, within seconds; an hour covers slow links and big layers. */
    public static final Duration DEFAULT_GRACE = Duration.ofHours(1);

    /**
     * @param untagged also delete manifests no tag names (and that no index or live subject needs)
     * @param grace    content pushed or linked more recently than this is left alone
     */
    public record Options(boolean dryRun, boolean untagged, Duration grace) {
        public Options {
            if (grace.isNegative()) throw new IllegalArgumentException("grace must not be negative");
        }
    }

    /** What a run did (or, dry, would do). Lists are capped at {@value #REPORT_LIMIT} entries; counts are not. */
    public record Report(String startedAt, boolean dryRun, long markMillis, long totalMillis, int manifestsDeleted,
                         int blobsDeleted, long bytesFreed, int uploadsRemoved, List<String> manifests, List<String> blobs) {}

    private final RegistryService registry;
    private final BlobStore blobs;
    private final MetadataStore metadata;
    /** One run at a time per node; runs on several nodes are safe too (each deletion is claimed once). */
    private final ReentrantLock running = new ReentrantLock();

    private final dev.stowage.core.event.EventPublisher events;

    public GarbageCollector(RegistryService registry) {
        this(registry, dev.stowage.core.event.EventPublisher.NOOP);
    }

    /** {@code events} hears, per project, of the untagged manifests a collection (not a dry run) removed from it. */
    public GarbageCollector(RegistryService registry, dev.stowage.core.event.EventPublisher events) {
        this.events = events;
        this.registry = registry;
        this.blobs = registry.blobStore();
        this.metadata = registry.metadataStore();
    }

    public Report run(Options options) {
        if (!running.tryLock()) throw new IllegalStateException("a garbage collection is running already");
        try {
            return collect(options);
        } finally {
            running.unlock();
        }
    }

    private Report collect(Options options) {
        Instant started = registry.clock().instant();
        long t0 = System.nanoTime();
        Instant cutoff = started.minus(options.grace());
        long markNanos = 0;
        List<String> manifestList = new ArrayList<>();
        List<String> blobList = new ArrayList<>();
        int manifests = 0;
        Map<String, Integer> manifestsByProject = new TreeMap<>();
        if (options.untagged()) {
            // Deleting an index can leave its children untagged, so go round until a pass finds nothing.
            // A dry run cannot see that cascade without deleting; it reports the first pass.
            boolean again = true;
            for (int pass = 0; again && pass < 16; pass++) {
                again = false;
                Optional<MetadataStore.StoredManifest> after = Optional.empty();
                List<MetadataStore.StoredManifest> batch;
                do {
                    long m0 = System.nanoTime();
                    batch = metadata.untaggedManifests(cutoff, after, BATCH);
                    markNanos += System.nanoTime() - m0;
                    for (MetadataStore.StoredManifest m : batch) {
                        if (options.dryRun() || metadata.deleteUntaggedManifest(m.repository(), m.digest(), cutoff)) {
                            if (!options.dryRun()) registry.manifestCollected(m.repository(), m.digest());
                            manifestsByProject.merge(m.repository().project(), 1, Integer::sum);
                            manifests++;
                            again = !options.dryRun();
                            if (manifestList.size() < REPORT_LIMIT) manifestList.add(m.repository() + "@" + m.digest());
                        }
                    }
                    if (!batch.isEmpty()) after = Optional.of(batch.getLast());
                } while (batch.size() == BATCH);
            }
        }
        int blobCount = 0;
        long bytes = 0;
        if (!options.dryRun()) finishAbandoned(started);
        Optional<Digest> after = Optional.empty();
        List<BlobRecord> batch;
        do {
            long m0 = System.nanoTime();
            batch = metadata.unreferencedBlobs(cutoff, after, BATCH);
            markNanos += System.nanoTime() - m0;
            for (BlobRecord blob : batch) {
                if (options.dryRun() || deleteBlob(blob.digest(), cutoff)) {
                    blobCount++;
                    bytes += blob.size();
                    if (blobList.size() < REPORT_LIMIT) blobList.add(blob.digest().toString());
                }
            }
            if (!batch.isEmpty()) after = Optional.of(batch.getLast().digest());
        } while (batch.size() == BATCH);
        int uploads = options.dryRun() ? 0 : registry.expireUploads();
        Report report = new Report(started.toString(), options.dryRun(), markNanos / 1_000_000, (System.nanoTime() - t0) / 1_000_000,
                manifests, blobCount, bytes, uploads, List.copyOf(manifestList), List.copyOf(blobList));
        if (!options.dryRun()) {
            // Each project hears of its own share only: the registry-wide figures (blobs and bytes, which are
            // content-addressed and no project's once unreferenced; uploads; timings) are the system's, not theirs.
            manifestsByProject.forEach((project, count) -> events.publish(
                    dev.stowage.core.event.RegistryEvent.gcCompleted(project, Map.of("manifestsDeleted", count))));
        }
        LOG.info("garbage collection{}: {} manifests, {} blobs ({} bytes), {} uploads; mark {} ms, total {} ms",
                options.dryRun() ? " (dry run)" : "", manifests, blobCount, bytes, uploads, report.markMillis(),
                report.totalMillis());
        return report;
    }

    /** Claim, delete the bytes, forget the row: in that order, so no row ever names bytes that are gone. */
    private boolean deleteBlob(Digest digest, Instant cutoff) {
        if (!metadata.claimBlobForDeletion(digest, cutoff, registry.clock().instant())) return false;
        try {
            blobs.delete(digest);
        } catch (IOException e) {
            // The row stays 'deleting'; the next run finishes it.
            LOG.warn("could not delete the bytes of {}: {}", digest, e.toString());
            return false;
        }
        metadata.forgetBlob(digest);
        return true;
    }

    private void finishAbandoned(Instant now) {
        for (Digest digest : metadata.abandonedDeletions(now.minus(ABANDONED), BATCH)) {
            try {
                blobs.delete(digest);
                metadata.forgetBlob(digest);
            } catch (IOException e) {
                LOG.warn("could not finish deleting {}: {}", digest, e.toString());
            }
        }
    }
}
