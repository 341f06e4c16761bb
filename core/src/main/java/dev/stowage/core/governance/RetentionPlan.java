package dev.stowage.core.governance;

import java.util.Comparator;
import java.util.List;

/**
 * The outcome of a retention policy over a set of images: those to remove and those kept, each with the rule that
 * decided. Both lists are ordered by repository, then newest push first, so two runs over the same input print the
 * same report.
 */
public record RetentionPlan(List<RetentionDecision> removals, List<RetentionDecision> kept) {
    static final Comparator<RetentionDecision> ORDER = Comparator
            .comparing((RetentionDecision d) -> d.candidate().repository())
            .thenComparing(RetentionDecision::candidate, ImageCandidate.NEWEST_PUSH_FIRST);

    public RetentionPlan {
        removals = removals.stream().sorted(ORDER).toList();
        kept = kept.stream().sorted(ORDER).toList();
    }
}
