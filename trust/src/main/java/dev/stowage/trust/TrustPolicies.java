package dev.stowage.trust;

import dev.stowage.signatures.SigstoreTrustedRoot;
import dev.stowage.signatures.TrustMaterial;
import dev.stowage.signatures.TrustPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Every project's trust policy and the installed Sigstore roots, parsed and kept whole in memory (they are small),
 * re-read after local changes and every few seconds for other nodes'. The pull check and the verifier read them from
 * here, never from the database on their own.
 */
public final class TrustPolicies {
    private static final Logger LOG = LoggerFactory.getLogger(TrustPolicies.class);
    /** How long another node's change may take to be seen here. */
    static final Duration FRESHNESS = Duration.ofSeconds(2);

    /** A project's policy as in force, with the version results computed under it carry. */
    public record InForce(ProjectTrustPolicy policy, long version) {
        static final InForce NONE = new InForce(ProjectTrustPolicy.DEFAULT, 0);
    }

    private final TrustStore store;
    private final ManagedTrust managed;
    private final Clock clock;
    /** Parses an installed trusted_root.json (the Sigstore format's parser); a root that no longer parses is skipped. */
    private final BiFunction<String, byte[], SigstoreTrustedRoot> rootParser;
    private volatile Map<String, InForce> policies = Map.of();
    private volatile List<SigstoreTrustedRoot> roots = List.of();
    private volatile long rootsGeneration = -1;
    private volatile Instant loadedAt = Instant.EPOCH;

    public TrustPolicies(TrustStore store, ManagedTrust managed, BiFunction<String, byte[], SigstoreTrustedRoot> rootParser,
                         Clock clock) {
        this.store = store;
        this.managed = managed;
        this.rootParser = rootParser;
        this.clock = clock;
        reload();
    }

    /** Re-reads policies, and the roots when their generation moved. */
    public synchronized void reload() {
        Map<String, InForce> read = new HashMap<>();
        for (TrustStore.StoredPolicy p : store.policies().values()) {
            try {
                read.put(p.project(), new InForce(ProjectTrustPolicy.parse(p.document()), p.version()));
            } catch (IllegalArgumentException e) {
                LOG.warn("trust policy of project {} not loaded: {}", p.project(), e.getMessage());
            }
        }
        policies = Map.copyOf(read);
        long generation = store.rootsGeneration();
        if (generation != rootsGeneration) {
            List<SigstoreTrustedRoot> parsed = new ArrayList<>();
            for (TrustStore.StoredRoot r : store.roots()) {
                try {
                    parsed.add(rootParser.apply(r.name(), r.document().getBytes(StandardCharsets.UTF_8)));
                } catch (RuntimeException e) {
                    LOG.warn("Sigstore trusted root {} not loaded: {}", r.name(), e.getMessage());
                }
            }
            roots = List.copyOf(parsed);
            rootsGeneration = generation;
        }
        loadedAt = clock.instant();
    }

    /** Whether the periodic reload has stopped (or not run yet): then answers must not come from memory alone. */
    public boolean stale() {
        return clock.instant().isAfter(loadedAt.plus(FRESHNESS.multipliedBy(5)));
    }

    public InForce of(String project) {
        if (stale()) reload();
        return policies.getOrDefault(project, InForce.NONE);
    }

    /** As {@link #of} without ever reading the database (for the event loop; callers check {@link #stale} first). */
    public InForce inMemory(String project) {
        return policies.getOrDefault(project, InForce.NONE);
    }

    public long rootsGeneration() {
        return rootsGeneration;
    }

    /** What a verification in {@code project} trusts: its policy, managed signing's keys when it says so, the roots. */
    public TrustMaterial material(String project) {
        ProjectTrustPolicy policy = of(project).policy();
        TrustPolicy trust = policy.trustPolicy();
        if (policy.trustManagedSigning()) {
            TrustPolicy m = managed.of(project);
            trust = new TrustPolicy(concat(trust.keys(), m.keys()), concat(trust.trustStores(), m.trustStores()),
                    concat(trust.identities(), m.identities()));
        }
        return new TrustMaterial(trust, roots);
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
