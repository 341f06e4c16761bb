package dev.stowage.core.event;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * RFC 9562 version 7 UUIDs: the first 48 bits are the Unix time in milliseconds, the next 12 a counter within the
 * millisecond, so their text sorts by creation time, strictly within one process. Delivery logs page newest first
 * on the id alone. They are identifiers, not secrets, hence the fast random source.
 */
public final class TimeOrderedIds {
    /** The last (milliseconds << 12 | counter) handed out; a counter overflow borrows the next millisecond. */
    private static final AtomicLong LAST = new AtomicLong();

    private TimeOrderedIds() {}

    public static String next() {
        long now = System.currentTimeMillis() << 12;
        long stamp = LAST.updateAndGet(previous -> Math.max(previous + 1, now));
        long high = ((stamp >>> 12) << 16) | 0x7000L | (stamp & 0x0FFFL);
        long low = (ThreadLocalRandom.current().nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(high, low).toString();
    }
}
