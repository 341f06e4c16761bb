package dev.stowage.core.governance;

import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;

/**
 * A retention policy in one of the two accepted languages. Both evaluate each repository on its own, as ECR and
 * Harbor do: counts ("keep the 10 most recent") are per repository.
 */
public sealed interface RetentionPolicy permits EcrLifecyclePolicy, HarborRetentionPolicy {

    /**
     * Decides, for every candidate, whether it is removed or kept and by which rule.
     *
     * @param candidates     images of one or several repositories; a repository and digest may appear only once
     * @param now            the evaluation time, against which ages are measured
     * @param protectedImage images that are never removed (holding an immutable tag, for instance); they still count
     *                       as present when rules count images, as in Harbor, and are reported as kept with the rule
     *                       they were protected against
     */
    RetentionPlan plan(List<ImageCandidate> candidates, Instant now, Predicate<ImageCandidate> protectedImage);
}
