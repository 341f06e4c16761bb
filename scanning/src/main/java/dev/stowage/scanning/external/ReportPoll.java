package dev.stowage.scanning.external;

import java.time.Duration;

/** One answer of {@code GET /api/v1/scan/{id}/report}: the report, or "not yet, ask again after this". */
public sealed interface ReportPoll {
    record Ready(HarborReport report) implements ReportPoll {
    }

    /** 302 with {@code Refresh-After}: the interval to wait, already bounded by the client's settings. */
    record Pending(Duration retryAfter) implements ReportPoll {
    }
}
