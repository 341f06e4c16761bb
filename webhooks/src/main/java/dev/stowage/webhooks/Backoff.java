package dev.stowage.webhooks;

import java.time.Duration;
import java.util.random.RandomGenerator;

/** Exponential backoff with jitter. */
final class Backoff {
    private Backoff() {}

    /**
     * The wait after {@code failedAttempts} failures: base * 2^(failures - 1), capped, of which the upper half is
     * random. The jitter spreads the retries of many deliveries that failed together (a receiver that was down) so
     * they do not hit it again all at once; the fixed half keeps a retry from coming back almost immediately.
     */
    static Duration delayAfter(int failedAttempts, Duration base, Duration cap, RandomGenerator random) {
        long capMillis = cap.toMillis();
        int doublings = Math.min(Math.max(failedAttempts - 1, 0), 40);
        long full = base.toMillis() > (capMillis >> doublings) ? capMillis : Math.min(capMillis, base.toMillis() << doublings);
        long half = full / 2;
        return Duration.ofMillis(half + random.nextLong(full - half + 1));
    }
}
