package dev.stowage.trust;

import dev.stowage.core.Digest;
import dev.stowage.core.RepositoryName;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Where the trust capability keeps project trust policies, installed Sigstore roots and verification results. */
public interface TrustStore {

    /** A project's policy document as stored, with its version (raised by every change). */
    record StoredPolicy(String project, String document, long version, Instant updatedAt) {}

    /** Every stored policy (the pull check keeps them all in memory). */
    Map<String, StoredPolicy> policies();

    Optional<StoredPolicy> policy(String project);

    /** Replaces the project's policy and raises its version; answers what was stored. */
    StoredPolicy putPolicy(String project, String document, Instant now);

    /** An installed Sigstore trusted root: its name and its {@code trusted_root.json} text. */
    record StoredRoot(String name, String document, Instant installedAt) {}

    List<StoredRoot> roots();

    /** Installs (or replaces) a root and raises the roots' generation. */
    void putRoot(String name, String document, Instant now);

    /** Removes a root (raising the generation); answers whether it existed. */
    boolean deleteRoot(String name);

    /** Raised by every change of the installed roots: results computed with an older one are stale. */
    long rootsGeneration();

    void putResult(VerificationResult result);

    Optional<VerificationResult> result(RepositoryName repository, Digest manifest);

    void deleteResult(RepositoryName repository, Digest manifest);

    /**
     * Stored results of {@code project} (every project when empty) in (repository, digest) order after
     * {@code after}: what a policy or root change re-verifies, page by page.
     */
    List<ResultKey> results(Optional<String> project, Optional<ResultKey> after, int limit);

    record ResultKey(RepositoryName repository, Digest manifest) {}

    /** Manifests of {@code repository} whose stored result has a check of {@code artifact} (a signature now deleted). */
    List<Digest> resultsCiting(RepositoryName repository, Digest artifact, int limit);

    /** The indexes in {@code repository} that list {@code manifest} (a platform image is signed through its index). */
    List<Digest> indexesListing(RepositoryName repository, Digest manifest, int limit);
}
