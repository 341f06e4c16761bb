package dev.stowage.core.governance;

import dev.stowage.core.Descriptor;
import dev.stowage.core.Digest;
import dev.stowage.core.ErrorCode;
import dev.stowage.core.RegistryException;
import dev.stowage.core.RepositoryName;
import dev.stowage.core.access.RegistryPolicy;
import dev.stowage.core.event.EventPublisher;
import dev.stowage.core.event.RegistryEvent;
import dev.stowage.core.manifest.ParsedManifest;
import dev.stowage.core.spi.GovernanceStore;
import dev.stowage.core.spi.MetadataStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Enforces project quotas before anything is committed. Usage is what the project's artifacts hold (see
 * {@link MetadataStore#projectUsage}), so it changes when a manifest is added: the manifest put is checked against
 * both limits with everything it adds (its blobs new to the project, its own bytes, one artifact), and that is where a
 * warning threshold is crossed. That check runs inside the write that records the manifest, with the project's usage
 * held still (see {@link MetadataStore.UsageCheck}), so parallel puts are checked one after the other. A blob is checked alone as it is uploaded, so a push that cannot fit is refused at its
 * first blob too big rather than after every upload. A refused push adds nothing to usage.
 *
 * <p>Exceeding a limit is refused with 403 DENIED naming it and the numbers, and announced (quota.exceeded) with that
 * limit's own figures. Crossing a warning threshold is logged and announced (quota.warning) once per project and
 * limit; a check that finds usage below the threshold again re-arms it. The memory of what was announced is this
 * node's: each node of a cluster announces a crossing it sees once.
 */
public final class QuotaPolicy implements RegistryPolicy {
    private static final Logger LOG = LoggerFactory.getLogger(QuotaPolicy.class);
    private final GovernanceStore store;
    private final MetadataStore metadata;
    private final EventPublisher events;
    /** Project and limit whose warning was announced and not re-armed since. */
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    public QuotaPolicy(GovernanceStore store, MetadataStore metadata) {
        this(store, metadata, EventPublisher.NOOP);
    }

    /** {@code events} hears of warnings and refusals (quota.warning, quota.exceeded). */
    public QuotaPolicy(GovernanceStore store, MetadataStore metadata, EventPublisher events) {
        this.store = store;
        this.metadata = metadata;
        this.events = events;
    }

    public Quota quota(String project) {
        return store.quota(project).orElse(Quota.UNLIMITED);
    }

    public void setQuota(String project, Quota quota) {
        store.setQuota(project, quota);
        warned.removeIf(key -> key.startsWith(project + "/")); // new limits, new thresholds
    }

    /**
     * Changes only the limits given (present: set, or cleared when the inner value is empty); the others stay.
     * Answers the quota now in force.
     */
    public Quota updateQuota(String project, Optional<Optional<Long>> storageBytes, Optional<Optional<Long>> artifacts,
                             Optional<Optional<Integer>> warningPercent) {
        Quota current = quota(project);
        Quota updated = Quota.of(
                storageBytes.isPresent() ? storageBytes.get().orElse(null) : boxed(current.storageLimitBytes()),
                artifacts.isPresent() ? artifacts.get().orElse(null) : boxed(current.artifactLimit()),
                warningPercent.isPresent() ? warningPercent.get().orElse(null)
                        : current.warningPercent().isPresent() ? current.warningPercent().getAsInt() : null);
        setQuota(project, updated);
        return updated;
    }

    private static Long boxed(java.util.OptionalLong value) {
        return value.isPresent() ? value.getAsLong() : null;
    }

    public Quota.Usage usage(String project) {
        return metadata.projectUsage(project);
    }

    /** A blob alone must fit what is left of the storage limit; it counts once a manifest references it. */
    @Override
    public void beforeBlobStored(RepositoryName repository, Digest digest, long size) {
        String project = repository.project();
        Optional<Quota> quota = store.quota(project);
        if (quota.isEmpty() || quota.get().storageLimitBytes().isEmpty()) return;
        if (!metadata.heldByProject(project, List.of(digest)).isEmpty()) return;
        Quota storageOnly = Quota.of(quota.get().storageLimitBytes().getAsLong(), null, null);
        refuseIfExceeded(project, storageOnly.check(metadata.projectUsage(project), size, 0));
    }

    /**
     * The put is checked inside the write that records it (see {@link MetadataStore.UsageCheck}): checked before, two
     * parallel puts would each see the usage without the other's and both be accepted. Only the quota is read here.
     */
    @Override
    public MetadataStore.UsageCheck manifestUsageCheck(RepositoryName repository, ParsedManifest manifest) {
        String project = repository.project();
        Optional<Quota> quota = store.quota(project);
        if (quota.isEmpty() || (quota.get().storageLimitBytes().isEmpty() && quota.get().artifactLimit().isEmpty())) {
            return MetadataStore.UsageCheck.NONE;
        }
        return held -> {
            boolean newArtifact = !held.hasManifest(repository, manifest.digest());
            long addedBytes = 0;
            if (quota.get().storageLimitBytes().isPresent()) {
                Map<Digest, Long> sizes = new LinkedHashMap<>();
                sizes.put(manifest.digest(), (long) manifest.payload().length);
                for (Descriptor blob : manifest.blobs()) sizes.putIfAbsent(blob.digest(), blob.size());
                Set<Digest> counted = held.held(new ArrayList<>(sizes.keySet()));
                for (Map.Entry<Digest, Long> e : sizes.entrySet()) if (!counted.contains(e.getKey())) addedBytes += e.getValue();
            }
            QuotaVerdict verdict = quota.get().check(held.usage(), addedBytes, newArtifact ? 1 : 0);
            refuseIfExceeded(project, verdict);
            announceWarnings(project, verdict);
        };
    }

    private void refuseIfExceeded(String project, QuotaVerdict verdict) {
        if (verdict.allowed()) return;
        for (QuotaVerdict.Finding f : verdict.findings()) {
            if (f.status() == QuotaVerdict.Status.EXCEEDED) {
                events.publish(RegistryEvent.quotaExceeded(project, f.dimension(), f.wouldUse(), f.limit()));
            }
        }
        throw new RegistryException(ErrorCode.DENIED, "quota of project " + project + " exceeded: " + verdict.message(),
                Map.of("project", project), 403);
    }

    /** Once per crossing: a limit found at its warning is announced unless it was already; one found below re-arms. */
    private void announceWarnings(String project, QuotaVerdict verdict) {
        for (QuotaVerdict.Dimension dimension : QuotaVerdict.Dimension.values()) {
            String key = project + "/" + dimension;
            Optional<QuotaVerdict.Finding> warning = verdict.findings().stream()
                    .filter(f -> f.dimension() == dimension && f.status() == QuotaVerdict.Status.WARNING).findFirst();
            if (warning.isEmpty()) {
                warned.remove(key);
            } else if (warned.add(key)) {
                LOG.warn("quota of project {}: {}", project, verdict.message());
                events.publish(RegistryEvent.quotaWarning(project, dimension, warning.get().wouldUse(), warning.get().limit()));
            }
        }
    }
}
