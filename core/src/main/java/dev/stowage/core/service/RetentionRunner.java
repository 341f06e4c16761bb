package dev.stowage.core.service;


import dev.stowage.core.CompanionTags;
import dev.stowage.core.Digest;
import dev.stowage.core.RepositoryName;
import dev.stowage.core.Tag;
import dev.stowage.core.governance.EcrLifecyclePolicy;
import dev.stowage.core.governance.HarborRetentionPolicy;
import dev.stowage.core.governance.ImageCandidate;
import dev.stowage.core.governance.ImmutableTagPolicy;
import dev.stowage.core.governance.PolicyException;
import dev.stowage.core.governance.RetentionDecision;
import dev.stowage.core.governance.RetentionPlan;
import dev.stowage.core.governance.RetentionPolicy;
import dev.stowage.core.spi.GovernanceStore;
import dev.stowage.core.spi.ManifestRecord;
import dev.stowage.core.spi.MetadataStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/**
 * Runs a project's retention policy against the registry: the images of its repositories (manifests that are
 * neither referrers nor children of an index, so images a kept index needs always stay) are planned by the policy,
 * images with an immutable tag are never removed, and each removed image takes its referrers (signatures, SBOMs)
 * with it. The bytes are left to the garbage collector. A dry run answers the same plan and changes nothing.
 */
public final class RetentionRunner {
    private static final Logger LOG = LoggerFactory.getLogger(RetentionRunner.class);

    public record Outcome(String repository, String digest, List<String> tags, String decidedBy) {}

    public record Report(String project, boolean dryRun, List<Outcome> removed, List<Outcome> kept, int referrersRemoved) {}

    private final RegistryService registry;
    private final MetadataStore metadata;
    private final GovernanceStore store;
    private final ImmutableTagPolicy immutability;

    private final dev.stowage.core.event.EventPublisher events;

    public RetentionRunner(RegistryService registry, GovernanceStore store, ImmutableTagPolicy immutability) {
        this(registry, store, immutability, dev.stowage.core.event.EventPublisher.NOOP);
    }

    public RetentionRunner(RegistryService registry, GovernanceStore store, ImmutableTagPolicy immutability,
                           dev.stowage.core.event.EventPublisher events) {
        this.events = events;
        this.registry = registry;
        this.metadata = registry.metadataStore();
        this.store = store;
        this.immutability = immutability;
    }

    /** Parses a policy in its language ("ecr" or "harbor"); errors name the field. */
    public static RetentionPolicy parse(String format, String json) {
        return switch (format) {
            case "ecr" -> EcrLifecyclePolicy.parse(json);
            case "harbor" -> HarborRetentionPolicy.parse(json);
            default -> throw new PolicyException("format", "must be ecr or harbor");
        };
    }

    public Optional<GovernanceStore.StoredRetention> policy(String project) {
        return store.retention(project);
    }

    /** Validates (errors name the field) and stores the project's policy and optional cron schedule. */
    public GovernanceStore.StoredRetention setPolicy(String project, String format, String json, String schedule) {
        parse(format, json);
        if (schedule != null) {
            try {
                dev.stowage.core.governance.Schedule.parse(schedule);
            } catch (IllegalArgumentException e) {
                throw new PolicyException("schedule", e.getMessage());
            }
        }
        GovernanceStore.StoredRetention stored = new GovernanceStore.StoredRetention(project, format, json, schedule);
        store.setRetention(stored, registry.clock().instant());
        return stored;
    }

    public boolean deletePolicy(String project) {
        return store.deleteRetention(project);
    }

    /** Every project's policy that has a schedule, for the scheduler. */
    public List<GovernanceStore.StoredRetention> scheduled() {
        return store.retentionPolicies().stream().filter(p -> p.schedule() != null).toList();
    }

    /** Runs the project's stored policy; empty when it has none. */
    public Optional<Report> run(String project, boolean dryRun) {
        return store.retention(project).map(p -> run(project, parse(p.format(), p.policy()), dryRun));
    }

    public Report run(String project, RetentionPolicy policy, boolean dryRun) {
        List<ImageCandidate> candidates = new ArrayList<>();
        for (MetadataStore.Image image : metadata.images(project)) {
            // cosign's signatures, attestations and SBOMs are no images: they go with the image they name
            if (!image.tags().isEmpty() && image.tags().stream().allMatch(CompanionTags::isCompanion)) continue;
            candidates.add(new ImageCandidate(image.repository().value(), image.digest(), new LinkedHashSet<>(image.tags()),
                    image.pushedAt(), image.lastPulledAt()));
        }
        RetentionPlan plan = policy.plan(candidates, registry.clock().instant(), candidate -> immutability
                .protectingRule(RepositoryName.of(candidate.repository()), candidate.tags()).isPresent());
        int referrers = 0;
        List<Outcome> removed = new ArrayList<>();
        for (RetentionDecision decision : plan.removals()) {
            ImageCandidate image = decision.candidate();
            RepositoryName repository = RepositoryName.of(image.repository());
            if (!dryRun) {
                referrers += deleteReferrers(repository, image.digest(), 0);
                referrers += deleteCompanions(repository, image.digest());
                metadata.deleteManifest(repository, image.digest());
                registry.manifestExpired(repository, image.digest(), List.copyOf(image.tags()));
            }
            removed.add(outcome(decision));
        }
        Report report = new Report(project, dryRun, removed, plan.kept().stream().map(RetentionRunner::outcome).toList(),
                referrers);
        if (!dryRun) {
            events.publish(dev.stowage.core.event.RegistryEvent.retentionCompleted(project, java.util.Map.of(
                    "removed", removed.size(), "kept", report.kept().size(), "referrersRemoved", referrers)));
        }
        LOG.info("retention of {}{}: {} images removed ({} referrers), {} kept", project, dryRun ? " (dry run)" : "",
                removed.size(), referrers, report.kept().size());
        return report;
    }

    /** Signatures of signatures too, to a sane depth. */
    private int deleteReferrers(RepositoryName repository, Digest subject, int depth) {
        if (depth > 8) return 0;
        int count = 0;
        for (ManifestRecord referrer : metadata.referrersOf(repository, subject)) {
            count += deleteReferrers(repository, referrer.digest(), depth + 1);
            List<String> tags = metadata.tagsOf(repository, referrer.digest()).stream().map(t -> t.value()).toList();
            if (metadata.deleteManifest(repository, referrer.digest())) {
                registry.manifestExpired(repository, referrer.digest(), tags);
                count++;
            }
        }
        return count;
    }

    /** The manifests of the image's cosign tags ({@code sha256-<hex>.sig} ...), with their own referrers. */
    private int deleteCompanions(RepositoryName repository, Digest image) {
        int count = 0;
        for (Tag companion : CompanionTags.of(image)) {
            Optional<ManifestRecord> found = metadata.findManifestByTag(repository, companion);
            if (found.isEmpty()) continue;
            Digest digest = found.get().digest();
            count += deleteReferrers(repository, digest, 1);
            List<String> tags = metadata.tagsOf(repository, digest).stream().map(t -> t.value()).toList();
            if (!tags.stream().allMatch(CompanionTags::isCompanion)) {
                // the same signature manifest also tagged otherwise: only the companion tag goes
                if (metadata.deleteTag(repository, companion)) registry.manifestExpired(repository, digest, List.of(companion.value()));
                continue;
            }
            if (metadata.deleteManifest(repository, digest)) {
                registry.manifestExpired(repository, digest, tags);
                count++;
            }
        }
        return count;
    }

    private static Outcome outcome(RetentionDecision d) {
        return new Outcome(d.candidate().repository(), d.candidate().digest().toString(), List.copyOf(d.candidate().tags()),
                d.decidedBy());
    }
}
