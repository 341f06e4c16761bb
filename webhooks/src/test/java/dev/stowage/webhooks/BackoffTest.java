package dev.stowage.webhooks;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class BackoffTest {
    static final Duration BASE = Duration.ofSeconds(1);
    static final Duration CAP = Duration.ofHours(1);

    @Test
    void theWaitDoublesWithEachFailureWithinItsJitter() {
        Random random = new Random(42);
        for (int failures = 1; failures <= 12; failures++) {
            long full = Math.min(CAP.toMillis(), 1000L << (failures - 1));
            for (int i = 0; i < 200; i++) {
                assertThat(Backoff.delayAfter(failures, BASE, CAP, random).toMillis()).isBetween(full / 2, full);
            }
        }
    }

    @Test
    void theWaitNeverExceedsTheCapEvenAfterManyFailures() {
        Random random = new Random(7);
        for (int failures : new int[] {13, 40, 63, 64, 1000, Integer.MAX_VALUE}) {
            assertThat(Backoff.delayAfter(failures, BASE, CAP, random)).isBetween(CAP.dividedBy(2), CAP);
        }
    }

    @Test
    void jitterSpreadsRetriesOut() {
        Random random = new Random(1);
        long distinct = java.util.stream.IntStream.range(0, 100)
                .mapToLong(i -> Backoff.delayAfter(5, BASE, CAP, random).toMillis()).distinct().count();
        assertThat(distinct).isGreaterThan(50);
    }
}
