package dev.stowage.webhooks;

import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.fail;

/** Waits for a condition with a deadline instead of guessing how long something takes. */
final class Eventually {
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    private Eventually() {}

    static <T> T until(Supplier<T> probe, Predicate<? super T> done, String what) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        T last = probe.get();
        while (!done.test(last)) {
            if (System.nanoTime() > deadline) fail("still not " + what + " after " + DEADLINE + "; last seen: " + last);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            last = probe.get();
        }
        return last;
    }
}
