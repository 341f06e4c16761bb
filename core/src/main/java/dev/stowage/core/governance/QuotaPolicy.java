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

    public QuotaPolicy(GovernanceStore store, MetadataStore metadata) {
        this.store = store;
        this.metadata = metadata;
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
        decide(repository.project(), quota.get().check(metadata.projectUsage(repository.project()), size, 0));
    }

    @Override
    public void beforeManifestPut(RepositoryName repository, ParsedManifest manifest, Optional<Tag> tag) {
        Optional<Quota> quota = store.quota(repository.project());
        if (quota.isEmpty() || quota.get().artifactLimit().isEmpty()) return;
        if (metadata.findManifest(repository, manifest.digest()).isPresent()) return;
        decide(repository.project(), quota.get().check(metadata.projectUsage(repository.project()), 0, 1));
    }

    private static void decide(String project, QuotaVerdict verdict) {
        switch (verdict.status()) {
            case EXCEEDED -> throw new RegistryException(ErrorCode.DENIED, "quota of project " + project + " exceeded: "
                    + verdict.message(), Map.of("project", project), 403);
            case WARNING -> LOG.warn("quota of project {}: {}", project, verdict.message());
            default -> { }
        }
    }
}
