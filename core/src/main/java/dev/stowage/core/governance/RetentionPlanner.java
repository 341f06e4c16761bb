package dev.stowage.core.governance;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/** What both policy languages share: one repository at a time, newest first, protected images never removed. */
final class RetentionPlanner {
    private RetentionPlanner() {}

    /** A policy's decision for one image of a repository, before protection is applied. */
    record Outcome(boolean remove, String decidedBy) {}

    interface RepositoryEvaluator {
        /** @param images one repository's images, newest push first; the answer holds an outcome for each */
        Map<ImageCandidate, Outcome> evaluate(String repository, List<ImageCandidate> images, Instant now);
    }

    static RetentionPlan plan(List<ImageCandidate> candidates, Instant now, Predicate<ImageCandidate> protectedImage,
                              RepositoryEvaluator evaluator) {
        if (now == null || protectedImage == null) throw new IllegalArgumentException("now and protectedImage required");
        Map<String, List<ImageCandidate>> byRepository = new TreeMap<>();
        Set<String> seen = new HashSet<>();
        for (ImageCandidate c : candidates) {
            if (!seen.add(c.repository() + "@" + c.digest())) {
                throw new IllegalArgumentException("candidate listed twice: " + c.repository() + "@" + c.digest());
            }
            byRepository.computeIfAbsent(c.repository(), r -> new ArrayList<>()).add(c);
        }
        List<RetentionDecision> removals = new ArrayList<>();
        List<RetentionDecision> kept = new ArrayList<>();
        byRepository.forEach((repository, images) -> {
            images.sort(ImageCandidate.NEWEST_PUSH_FIRST);
            Map<ImageCandidate, Outcome> outcomes = evaluator.evaluate(repository, List.copyOf(images), now);
            for (ImageCandidate image : images) {
                Outcome outcome = outcomes.get(image);
                if (!outcome.remove()) {
                    kept.add(new RetentionDecision(image, outcome.decidedBy()));
                } else if (protectedImage.test(image)) {
                    kept.add(new RetentionDecision(image, "protected against: " + outcome.decidedBy()));
                } else {
                    removals.add(new RetentionDecision(image, outcome.decidedBy()));
                }
            }
        });
        return new RetentionPlan(removals, kept);
    }
}
