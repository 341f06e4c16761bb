package dev.stowage.core.governance;

import dev.stowage.core.Digest;
import dev.stowage.core.ErrorCode;
import dev.stowage.core.RegistryException;
import dev.stowage.core.RepositoryName;
import dev.stowage.core.Tag;
import dev.stowage.core.access.RegistryPolicy;
import dev.stowage.core.manifest.ParsedManifest;
import dev.stowage.core.spi.GovernanceStore;
import dev.stowage.core.spi.MetadataStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Optional;

/**
 * Enforces project quotas before anything is committed: a blob new to the project must fit the storage limit, a
 * manifest new to its repository the artifact limit. Crossing the warning threshold is logged (and, once webhooks
 * exist, announced); exceeding it is refused with DENIED naming the limit and the numbers.
 */
public final class QuotaPolicy implements RegistryPolicy {
    private static final Logger LOG = LoggerFactory.getLogger(QuotaPolicy.class);
    private final GovernanceStore store;
    private final MetadataStore metadata;

    private final dev.stowage.core.event.EventPublisher events;

    public QuotaPolicy(GovernanceStore store, MetadataStore metadata) {
        this(store, metadata, dev.stowage.core.event.EventPublisher.NOOP);
    }

    /** {@code events} hears of warnings and refusals (quota.warning, quota.exceeded). */
    public QuotaPolicy(GovernanceStore store, MetadataStore metadata, dev.stowage.core.event.EventPublisher events) {
        this.store = store;
        this.metadata = metadata;
        this.events = events;
    }

    public Quota quota(String project) {
        return store.quota(project).orElse(Quota.UNLIMITED);
    }

    public void setQuota(String project, Quota quota) {
        store.setQuota(project, quota);
    }

    public Quota.Usage usage(String project) {
        return metadata.projectUsage(project);
    }

    @Override
    public void beforeBlobStored(RepositoryName repository, Digest digest, long size) {
        Optional<Quota> quota = store.quota(repository.project());
        if (quota.isEmpty() || quota.get().storageLimitBytes().isEmpty()) return;
        if (metadata.projectHoldsBlob(repository.project(), digest)) return;
        Quota.Usage usage = metadata.projectUsage(repository.project());
        decide(repository.project(), quota.get().check(usage, size, 0), usage.storageBytes() + size,
                quota.get().storageLimitBytes().getAsLong());
    }

    @Override
    public void beforeManifestPut(RepositoryName repository, ParsedManifest manifest, Optional<Tag> tag) {
        Optional<Quota> quota = store.quota(repository.project());
        if (quota.isEmpty() || quota.get().artifactLimit().isEmpty()) return;
        if (metadata.findManifest(repository, manifest.digest()).isPresent()) return;
        Quota.Usage usage = metadata.projectUsage(repository.project());
        decide(repository.project(), quota.get().check(usage, 0, 1), usage.artifacts() + 1,
                quota.get().artifactLimit().getAsLong());
    }

    private void decide(String project, QuotaVerdict verdict, long wouldUse, long limit) {
        switch (verdict.status()) {
            case EXCEEDED -> {
                events.publish(dev.stowage.core.event.RegistryEvent.quotaExceeded(project, wouldUse, limit));
                throw new RegistryException(ErrorCode.DENIED, "quota of project " + project + " exceeded: "
                    + verdict.message(), Map.of("project", project), 403);
            }
            case WARNING -> {
                LOG.warn("quota of project {}: {}", project, verdict.message());
                events.publish(dev.stowage.core.event.RegistryEvent.quotaWarning(project, wouldUse, limit));
            }
            default -> { }
        }
    }
}
