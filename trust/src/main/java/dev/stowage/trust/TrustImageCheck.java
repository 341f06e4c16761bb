package dev.stowage.trust;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.stowage.core.Digest;
import dev.stowage.core.RepositoryName;
import dev.stowage.core.policy.ImageCheck;
import dev.stowage.core.policy.ImageRefusal;
import dev.stowage.core.policy.RunnableImages;
import dev.stowage.core.spi.ManifestRecord;
import dev.stowage.signatures.SignatureCheck;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Refuses pulls of runnable images that no signature verified by their project's trust policy covers, in projects
 * whose policy enforces (audit mode reports through {@link #refusal} and never refuses). An image is covered by its
 * own verified signature or by a verified index in the same repository that lists it (cosign and Notation sign the
 * index). Policies are in memory; the facts of an image are cached briefly and forgotten when a signature of it
 * arrives, so a project that enforces nothing costs one map lookup and an enforcing pull a cache lookup.
 */
public final class TrustImageCheck implements ImageCheck {
    /** Verifies a manifest now when no result computed with the policy in force is stored. */
    @FunctionalInterface
    public interface Verifier {
        Optional<VerificationResult> current(RepositoryName repository, Digest manifest);
    }

    private record Key(RepositoryName repository, Digest manifest) {}

    /** What the check knows of an image: its own result and the verified indexes that list it. */
    private record Facts(Optional<VerificationResult> own, List<Digest> verifiedIndexes) {}

    private final TrustPolicies policies;
    private final TrustStore store;
    private final Cache<Key, Facts> facts;
    private volatile Verifier verifier;

    public TrustImageCheck(TrustPolicies policies, TrustStore store) {
        this.policies = policies;
        this.store = store;
        this.facts = Caffeine.newBuilder().maximumSize(20_000).expireAfterWrite(TrustPolicies.FRESHNESS).build();
        this.verifier = (repository, manifest) -> store.result(repository, manifest);
    }

    /** From the node's start on, missing or stale results are computed on the spot (before, the stored ones serve). */
    public void verifyWith(Verifier verifier) {
        this.verifier = verifier;
    }

    /** A result changed: the image's facts (and, for an index, those of every image it may cover) are forgotten. */
    public void resultChanged(RepositoryName repository, Digest manifest, boolean index) {
        if (index) facts.invalidateAll();
        else facts.invalidate(new Key(repository, manifest));
    }

    /** A policy or root changed. */
    public void forgetAll() {
        facts.invalidateAll();
    }

    @Override
    public String name() {
        return "signatures";
    }

    @Override
    public boolean decidesWithoutBlocking(RepositoryName repository, ManifestRecord manifest) {
        if (policies.stale()) return false;
        if (policies.inMemory(repository.project()).policy().enforcement() != Enforcement.ENFORCE) return true;
        return facts.getIfPresent(new Key(repository, manifest.digest())) != null || !RunnableImages.runnable(manifest);
    }

    @Override
    public Optional<ImageRefusal> check(RepositoryName repository, ManifestRecord manifest) {
        if (policies.of(repository.project()).policy().enforcement() != Enforcement.ENFORCE) return Optional.empty();
        return refusal(repository, manifest);
    }

    @Override
    public Optional<ImageRefusal> audited(RepositoryName repository, ManifestRecord manifest) {
        if (policies.of(repository.project()).policy().enforcement() != Enforcement.AUDIT) return Optional.empty();
        return refusal(repository, manifest);
    }

    /**
     * Why the trust policy would refuse the image, whatever the project's enforcement (admission reviews in audit mode
     * warn with it); empty when it is covered by a verified signature, or is not a runnable image.
     */
    public Optional<ImageRefusal> refusal(RepositoryName repository, ManifestRecord manifest) {
        if (!RunnableImages.runnable(manifest)) return Optional.empty();
        Key key = new Key(repository, manifest.digest());
        Facts known = facts.getIfPresent(key);
        if (known == null) {
            // loaded outside the cache's compute: a verification on the way stores a result, which invalidates entries
            known = load(repository, manifest.digest());
            facts.put(key, known);
        }
        if (known.own().map(r -> r.status() == VerificationResult.Status.VERIFIED).orElse(false)) return Optional.empty();
        if (!known.verifiedIndexes().isEmpty()) return Optional.empty();
        return Optional.of(refuse(repository, manifest.digest(), known.own()));
    }

    private Facts load(RepositoryName repository, Digest manifest) {
        Optional<VerificationResult> own = verifier.current(repository, manifest);
        List<Digest> indexes = new ArrayList<>();
        if (own.map(r -> r.status() != VerificationResult.Status.VERIFIED).orElse(true)) {
            for (Digest index : store.indexesListing(repository, manifest, TrustService.MAX_INDEXES)) {
                if (verifier.current(repository, index).map(r -> r.status() == VerificationResult.Status.VERIFIED)
                        .orElse(false)) {
                    indexes.add(index);
                }
            }
        }
        return new Facts(own, indexes);
    }

    private ImageRefusal refuse(RepositoryName repository, Digest manifest, Optional<VerificationResult> result) {
        String project = repository.project();
        String where = "/api/v1/repositories/" + repository.value() + "/artifacts/" + manifest + "/signatures";
        List<SignatureCheck> signatures = result.map(VerificationResult::signatures).orElse(List.of());
        String why;
        if (signatures.isEmpty()) {
            why = "the image has no signature";
        } else {
            List<String> reasons = signatures.stream().limit(3).map(SignatureCheck::reason).toList();
            why = "no signature verified by the trust policy (" + signatures.size()
                    + (signatures.size() == 1 ? " signature: " : " signatures: ") + String.join("; ", reasons)
                    + (signatures.size() > 3 ? "; ..." : "") + ")";
        }
        String message = "pull refused by the trust policy of project '" + project + "': " + why + "; see GET " + where;
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("project", project);
        detail.put("status", result.map(r -> r.status().apiName()).orElse(VerificationResult.Status.UNSIGNED.apiName()));
        detail.put("signatures", signatures.size());
        detail.put("result", where);
        return new ImageRefusal(name(), message, detail);
    }
}
