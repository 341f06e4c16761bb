package dev.stowage.core;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as people write them in settings and requests: {@code 500ms}, {@code 10s}, {@code 30m}, {@code 24h}, {@code 7d}. */
public final class Durations {
    private static final Pattern SHORT = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    private Durations() {}

    /** The short form, or ISO-8601 ({@code PT1H}); empty when the text is neither. */
    public static Optional<Duration> parse(String text) {
        if (text == null) return Optional.empty();
        Matcher m = SHORT.matcher(text.trim());
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return Optional.of(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            });
        }
        try {
            return Optional.of(Duration.parse(text.trim()));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
