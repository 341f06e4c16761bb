package dev.stowage.bench;

import java.util.Arrays;

/** Collects latencies (nanoseconds) from one thread; merged after the run. */
final class LatencyRecorder {
    private long[] samples = new long[1024];
    private int count;

    void record(long nanos) {
        if (count == samples.length) samples = Arrays.copyOf(samples, count * 2);
        samples[count++] = nanos;
    }

    int count() { return count; }

    static Summary summarize(Iterable<LatencyRecorder> recorders) {
        int total = 0;
        for (LatencyRecorder r : recorders) total += r.count;
        long[] all = new long[total];
        int at = 0;
        for (LatencyRecorder r : recorders) {
            System.arraycopy(r.samples, 0, all, at, r.count);
            at += r.count;
        }
        Arrays.sort(all);
        return new Summary(total, percentile(all, 50), percentile(all, 90), percentile(all, 99),
                all.length == 0 ? 0 : all[all.length - 1]);
    }

    /** Nearest-rank percentile of sorted samples. */
    static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) return 0;
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    record Summary(int count, long p50, long p90, long p99, long max) {}
}
