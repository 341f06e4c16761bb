package dev.stowage.core.audit;

import dev.stowage.core.Durations;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * The bounds of an audit query as people write them: an ISO-8601 instant ({@code 2026-01-31T12:00:00Z}, with an
 * offset, or a date meaning its start in UTC) or a duration back from now ({@code 24h}, {@code 7d}).
 */
public final class AuditTimes {
    private AuditTimes() {}

    /** The instant {@code text} names; an IllegalArgumentException naming {@code name} and the accepted forms. */
    public static Instant parse(String text, Instant now, String name) {
        String t = text.trim();
        Optional<Duration> back = Durations.parse(t);
        if (back.isPresent()) return now.minus(back.get());
        try {
            return Instant.parse(t);
        } catch (DateTimeParseException notInstant) {
            try {
                return OffsetDateTime.parse(t).toInstant();
            } catch (DateTimeParseException notOffset) {
                try {
                    return LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant();
                } catch (DateTimeParseException notDate) {
                    String shown = t.length() > 40 ? t.substring(0, 40) + "..." : t;
                    throw new IllegalArgumentException(name + " must be an ISO-8601 instant (2026-01-31T12:00:00Z) or a "
                            + "duration back from now (24h, 7d, 30m), not '" + shown + "'");
                }
            }
        }
    }
}
