package dev.stowage.scanner;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.stowage.core.Digest;
import dev.stowage.core.RepositoryName;
import dev.stowage.core.policy.ImageCheck;
import dev.stowage.core.policy.ImageRefusal;
import dev.stowage.core.spi.ManifestRecord;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Refuses pulls that a project's scanning policy forbids. Policies and allowlists are small and kept whole in memory
 * (re-read every few seconds, so other nodes' changes arrive); the facts of images in enforcing projects are cached
 * briefly. A project that enforces nothing costs one map lookup, on the event loop too.
 */
public final class ScanPullPolicy implements ImageCheck {
    /** How long another node's change to a policy, allowlist or report may take to be seen here. */
    static final Duration FRESHNESS = Duration.ofSeconds(2);

    private final ScanStore store;
    private final Clock clock;
    private volatile Map<String, ProjectScanPolicy> policies = Map.of();
    private volatile Map<String, List<AllowlistEntry>> allowlists = Map.of();
    private volatile Instant loadedAt = Instant.EPOCH;
    private final Cache<Digest, Optional<PullRule.ImageFacts>> facts;

    public ScanPullPolicy(ScanStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
        this.facts = Caffeine.newBuilder().maximumSize(20_000).expireAfterWrite(FRESHNESS).build();
        reload();
    }

    /** Reads policies and allowlists again; called after local changes and periodically for other nodes'. */
    public void reload() {
        policies = Map.copyOf(store.policies());
        Map<String, List<AllowlistEntry>> lists = new java.util.HashMap<>();
        lists.put("", store.allowlist(""));
        for (String project : policies.keySet()) lists.put(project, store.allowlist(project));
        allowlists = Map.copyOf(lists);
        loadedAt = clock.instant();
    }

    /** A report of this manifest was written here: the next pull reads it. */
    public void reportChanged(Digest manifest) {
        facts.invalidate(manifest);
    }

    private boolean stale() {
        return clock.instant().isAfter(loadedAt.plus(FRESHNESS.multipliedBy(5)));
    }

    public ProjectScanPolicy policyOf(String project) {
        if (stale()) {
            // the periodic reload stopped (or has not run yet); never enforce stale settings for long
            reload();
        }
        return policies.getOrDefault(project, ProjectScanPolicy.DEFAULT);
    }

    @Override
    public String name() {
        return "vulnerabilities";
    }

    @Override
    public boolean decidesWithoutBlocking(RepositoryName repository, ManifestRecord manifest) {
        if (stale()) return false; // policyOf would read the database: not on the event loop
        ProjectScanPolicy policy = policies.getOrDefault(repository.project(), ProjectScanPolicy.DEFAULT);
        return !policy.blocksAnything() || facts.getIfPresent(manifest.digest()) != null;
    }

    @Override
    public Optional<ImageRefusal> check(RepositoryName repository, ManifestRecord manifest) {
        String project = repository.project();
        ProjectScanPolicy policy = policyOf(project);
        if (!policy.blocksAnything()) return Optional.empty();
        if (!dev.stowage.core.policy.RunnableImages.runnable(manifest)) return Optional.empty();
        Optional<PullRule.ImageFacts> image = facts.get(manifest.digest(), this::load);
        Instant now = clock.instant();
        Set<String> accepted = allowed(project, now);
        String reportPath = "/api/v1/repositories/" + repository.value() + "/artifacts/" + manifest.digest()
                + "/vulnerabilities";
        return PullRule.decide(project, policy, image, id -> accepted.contains(id.toLowerCase(java.util.Locale.ROOT)),
                        reportPath)
                .map(refusal -> new ImageRefusal(name(), refusal.message(), refusal.detail()));
    }

    private Set<String> allowed(String project, Instant now) {
        return java.util.stream.Stream.concat(allowlists.getOrDefault("", List.of()).stream(),
                        allowlists.getOrDefault(project, List.of()).stream())
                .filter(e -> e.activeAt(now)).map(e -> e.vulnerability().toLowerCase(java.util.Locale.ROOT))
                .collect(Collectors.toSet());
    }

    private Optional<PullRule.ImageFacts> load(Digest manifest) {
        // a rescan (queued or running) of an image that has findings keeps them in force until it completes
        return store.report(manifest).map(r -> {
            Optional<com.fasterxml.jackson.databind.JsonNode> report = r.report().map(InventoryJson::gunzip);
            return new PullRule.ImageFacts(report.isPresent() ? ScanStore.Status.COMPLETED : r.status(),
                    report.map(ReportJson::facts).orElse(List.of()), report.map(ReportJson::unreadableLayers).orElse(0L));
        });
    }
}
