package dev.stowage.core.governance;

/** The answer of {@link Quota#check}: whether the write may go ahead, and in words what is over or near its limit. */
public record QuotaVerdict(Status status, String message) {
    public enum Status {
        /** Below every limit and warning threshold. */
        OK,
        /** Allowed, but usage afterwards is at or above the warning threshold of some limit. */
        WARNING,
        /** Refused: the write would take usage over a limit. */
        EXCEEDED
    }

    public boolean allowed() {
        return status != Status.EXCEEDED;
    }
}
