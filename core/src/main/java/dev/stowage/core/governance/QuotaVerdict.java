package dev.stowage.core.governance;

import java.util.List;

/**
 * The answer of {@link Quota#check}: whether the write may go ahead, in words what is over or near its limit, and per
 * limit ({@code findings}: only those at a warning or over) the figures events report.
 */
public record QuotaVerdict(Status status, String message, List<Finding> findings) {
    public enum Status {
        /** Below every limit and warning threshold. */
        OK,
        /** Allowed, but usage afterwards is at or above the warning threshold of some limit. */
        WARNING,
        /** Refused: the write would take usage over a limit. */
        EXCEEDED
    }

    /** The two limits a quota has. */
    public enum Dimension { STORAGE, ARTIFACTS }

    /** One limit at a warning or over: what usage would be after the write, and the limit. */
    public record Finding(Dimension dimension, Status status, long wouldUse, long limit) {}

    public QuotaVerdict {
        findings = List.copyOf(findings);
    }

    public QuotaVerdict(Status status, String message) {
        this(status, message, List.of());
    }

    public boolean allowed() {
        return status != Status.EXCEEDED;
    }
}
