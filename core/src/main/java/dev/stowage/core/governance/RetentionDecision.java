package dev.stowage.core.governance;

/** What happens to one image and the rule that decided it, in words for dry-run reports and audit records. */
public record RetentionDecision(ImageCandidate candidate, String decidedBy) {
    public RetentionDecision {
        if (candidate == null || decidedBy == null) throw new IllegalArgumentException("candidate and decidedBy required");
    }
}
