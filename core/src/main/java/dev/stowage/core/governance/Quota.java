package dev.stowage.core.governance;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Limits on what a project (or the registry) may hold: stored bytes, artifact count, and the share of either limit
 * at which usage is reported as a warning. Each is optional; an absent limit is unlimited.
 *
 * <p>Only growth is refused: a write that adds nothing to a dimension (a tag moved, a manifest deleted) passes even
 * when usage is already over a limit lowered since, as in Harbor, so that administrators can always clean up.
 */
public record Quota(OptionalLong storageLimitBytes, OptionalLong artifactLimit, OptionalInt warningPercent) {
    public static final Quota UNLIMITED = new Quota(OptionalLong.empty(), OptionalLong.empty(), OptionalInt.empty());

    public Quota {
        if (storageLimitBytes.orElse(0) < 0) throw new PolicyException("storageLimitBytes", "must be zero or more");
        if (artifactLimit.orElse(0) < 0) throw new PolicyException("artifactLimit", "must be zero or more");
        if (warningPercent.isPresent() && (warningPercent.getAsInt() < 1 || warningPercent.getAsInt() > 100)) {
            throw new PolicyException("warningPercent", "must be between 1 and 100");
        }
    }

    /** From nullable values, as they come from a database row or a JSON body; null means no limit. */
    public static Quota of(Long storageLimitBytes, Long artifactLimit, Integer warningPercent) {
        return new Quota(storageLimitBytes == null ? OptionalLong.empty() : OptionalLong.of(storageLimitBytes),
                artifactLimit == null ? OptionalLong.empty() : OptionalLong.of(artifactLimit),
                warningPercent == null ? OptionalInt.empty() : OptionalInt.of(warningPercent));
    }

    /** What is held now. */
    public record Usage(long storageBytes, long artifacts) {
        public static final Usage NONE = new Usage(0, 0);

        public Usage {
            if (storageBytes < 0 || artifacts < 0) throw new IllegalArgumentException("usage cannot be negative");
        }
    }

    /**
     * Checks a write that adds {@code addedBytes} and {@code addedArtifacts} (negative for what it frees) to the
     * current usage.
     */
    public QuotaVerdict check(Usage current, long addedBytes, int addedArtifacts) {
        List<String> exceeded = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        List<QuotaVerdict.Finding> findings = new ArrayList<>();
        Dimension storage = new Dimension(QuotaVerdict.Dimension.STORAGE, current.storageBytes(), addedBytes, storageLimitBytes);
        Dimension artifacts = new Dimension(QuotaVerdict.Dimension.ARTIFACTS, current.artifacts(), addedArtifacts, artifactLimit);
        for (Dimension d : List.of(storage, artifacts)) {
            if (d.limit().isEmpty()) continue;
            long limit = d.limit().getAsLong();
            long after = d.after();
            if (d.added() > 0 && after > limit) {
                exceeded.add(d.name() + " quota exceeded: " + d.amount(d.used()) + " used + " + d.amount(d.added())
                        + " added = " + d.amount(after) + ", over the limit of " + d.amount(limit) + d.human(after, limit));
                findings.add(new QuotaVerdict.Finding(d.dimension(), QuotaVerdict.Status.EXCEEDED, after, limit));
            } else if (warningPercent.isPresent() && after > 0 && after >= warnAt(limit, warningPercent.getAsInt())) {
                warnings.add(d.name() + " at " + percent(after, limit) + "% of quota: " + d.amount(after) + " of "
                        + d.amount(limit) + d.human(after, limit) + ", warning at " + warningPercent.getAsInt() + "%");
                findings.add(new QuotaVerdict.Finding(d.dimension(), QuotaVerdict.Status.WARNING, after, limit));
            }
        }
        if (!exceeded.isEmpty()) {
            return new QuotaVerdict(QuotaVerdict.Status.EXCEEDED, String.join("; ", exceeded), findings);
        }
        if (!warnings.isEmpty()) {
            return new QuotaVerdict(QuotaVerdict.Status.WARNING, String.join("; ", warnings), findings);
        }
        return new QuotaVerdict(QuotaVerdict.Status.OK, "within quota");
    }

    /** The smallest usage at or above {@code percent}% of {@code limit}, exactly and without overflow. */
    private static long warnAt(long limit, int percent) {
        return limit / 100 * percent + (limit % 100 * percent + 99) / 100;
    }

    private static long percent(long used, long limit) {
        return limit == 0 ? 100 : (long) Math.floor(used * 100.0 / limit);
    }

    private record Dimension(QuotaVerdict.Dimension dimension, long used, long added, OptionalLong limit) {
        boolean bytes() {
            return dimension == QuotaVerdict.Dimension.STORAGE;
        }

        String name() {
            return bytes() ? "storage" : "artifact";
        }

        long after() {
            long sum = used + added;
            return ((used ^ sum) & (added ^ sum)) < 0 ? Long.MAX_VALUE : Math.max(0, sum); // saturate, never negative
        }

        String amount(long value) {
            return bytes() ? value + " bytes" : value + (value == 1 ? " artifact" : " artifacts");
        }

        String human(long value, long limit) {
            return bytes() ? " (" + iec(value) + " of " + iec(limit) + ")" : "";
        }
    }

    static String iec(long bytes) {
        if (bytes < 1024) return bytes + " B";
        String units = "KMGTPE";
        int exponent = (63 - Long.numberOfLeadingZeros(bytes)) / 10;
        return String.format(Locale.ROOT, "%.1f %siB", bytes / Math.pow(1024, exponent), units.charAt(exponent - 1));
    }
}
