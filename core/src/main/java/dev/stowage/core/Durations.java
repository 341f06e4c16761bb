package dev.stowage.core;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them in settings and requests: {@code 500ms}, {@code 10s}, {@code 30m}, {@code 24h},
 * {@code 7d}, or ISO-8601 ({@code PT1H}). Every parse is bounded: a number too large for a duration, a negative
 * one, or one beyond {@link #MAX} is not a duration (a client's {@code 99999999999999d} is refused, never an
 * arithmetic overflow nor an expiry in the year 2,739,933).
 */
public final class Durations {
    private static final Pattern SHORT = Pattern.compile("(\\d{1,18})(ms|s|m|h|d)");
    /** No setting or request needs more; anything longer is a mistake or an attack. */
    public static final Duration MAX = Duration.ofDays(36_500);
    /** Longer texts are not durations; spares the parsers absurd input. */
    private static final int MAX_TEXT = 40;

    private Durations() {}

    /** The short form, or ISO-8601 ({@code PT1H}), from zero to {@link #MAX}; empty when the text is not that. */
    public static Optional<Duration> parse(String text) {
        if (text == null || text.length() > MAX_TEXT) return Optional.empty();
        String trimmed = text.trim();
        Duration d;
        try {
            Matcher m = SHORT.matcher(trimmed);
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                d = switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
            } else {
                d = Duration.parse(trimmed);
            }
        } catch (RuntimeException e) { // not a duration, or overflowing (ArithmeticException, DateTimeParseException)
            return Optional.empty();
        }
        return d.isNegative() || d.compareTo(MAX) > 0 ? Optional.empty() : Optional.of(d);
    }

    /**
     * The duration {@code text} says, between {@code min} and {@code max}; otherwise an IllegalArgumentException whose
     * message names the field, the bounds and the accepted forms.
     */
    public static Duration parse(String text, Duration min, Duration max, String name) {
        Optional<Duration> d = parse(text);
        if (d.isEmpty() || d.get().compareTo(min) < 0 || d.get().compareTo(max) > 0) {
            String shown = text == null ? "nothing" : "'" + (text.length() > MAX_TEXT ? text.substring(0, MAX_TEXT) + "..." : text) + "'";
            throw new IllegalArgumentException(name + " must be a duration from " + format(min) + " to " + format(max)
                    + " (like 30d, 12h, 90m, 10s, 500ms or PT1H), not " + shown);
        }
        return d.get();
    }

    /** The shortest exact short form: {@code 3650d}, {@code 5m}, {@code 1500ms}. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms == 0) return "0s";
        if (ms % 86_400_000L == 0) return ms / 86_400_000L + "d";
        if (ms % 3_600_000L == 0) return ms / 3_600_000L + "h";
        if (ms % 60_000L == 0) return ms / 60_000L + "m";
        if (ms % 1_000L == 0) return ms / 1_000L + "s";
        return ms + "ms";
    }
}
