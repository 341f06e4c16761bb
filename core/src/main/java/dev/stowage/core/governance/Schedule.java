package dev.stowage.core.governance;

import com.cronutils.model.definition.CronDefinition;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Objects;

/**
 * When a retention or garbage-collection job runs: a cron expression in one of three forms,
 * <ul>
 *   <li>Unix, five fields: minute hour day-of-month month day-of-week ({@code 30 2 * * 1-5});</li>
 *   <li>Harbor's, six fields, seconds first ({@code 0 0 0 * * *});</li>
 *   <li>a shortcut: {@code @hourly}, {@code @daily} (or {@code @midnight}), {@code @weekly}, {@code @monthly},
 *       {@code @yearly} (or {@code @annually}).</li>
 * </ul>
 * Both field forms follow Unix cron: day-of-week 0-7 (0 and 7 are Sunday) or names, {@code ?} is the same as
 * {@code *}, and when both day fields are restricted a day matching either one fires (so {@code 0 0 13 * 5} runs on
 * the 13th and on Fridays), as Harbor's scheduler does too. Times are read in the schedule's zone, UTC unless given.
 */
public final class Schedule {
    private static final CronDefinition MINUTES = definition(false);
    private static final CronDefinition SECONDS = definition(true);
    private static final Map<String, String> SHORTCUTS = Map.of(
            "@hourly", "0 * * * *", "@daily", "0 0 * * *", "@midnight", "0 0 * * *", "@weekly", "0 0 * * 0",
            "@monthly", "0 0 1 * *", "@yearly", "0 0 1 1 *", "@annually", "0 0 1 1 *");

    private final String expression;
    private final ZoneId zone;
    private final ExecutionTime executionTime;

    private Schedule(String expression, ZoneId zone, ExecutionTime executionTime) {
        this.expression = expression;
        this.zone = zone;
        this.executionTime = executionTime;
    }

    public static Schedule parse(String expression) {
        return parse(expression, ZoneOffset.UTC);
    }

    /** A malformed expression, or one that never fires (the 30th of February), is a {@link PolicyException}. */
    public static Schedule parse(String expression, ZoneId zone) {
        Objects.requireNonNull(zone, "zone");
        String text = expression == null ? "" : expression.trim();
        if (text.isEmpty()) throw new PolicyException("", "empty cron expression");
        String cron = text.startsWith("@") ? SHORTCUTS.get(text.toLowerCase()) : text;
        if (cron == null) {
            throw new PolicyException("", "unknown cron shortcut " + text + " (use @hourly, @daily, @weekly, @monthly or @yearly)");
        }
        String[] fields = cron.split("\\s+");
        if (fields.length != 5 && fields.length != 6) {
            throw new PolicyException("", "cron expression \"" + text + "\" has " + fields.length + " fields; expected 5"
                    + " (minute hour day-of-month month day-of-week) or 6 (second first)");
        }
        int dayOfMonth = fields.length - 3;
        for (int day : new int[] {dayOfMonth, dayOfMonth + 2}) if (fields[day].equals("?")) fields[day] = "*";
        ExecutionTime executionTime;
        try {
            executionTime = ExecutionTime.forCron(new CronParser(fields.length == 6 ? SECONDS : MINUTES)
                    .parse(String.join(" ", fields)));
        } catch (IllegalArgumentException e) {
            String reason = String.valueOf(e.getMessage()).replaceFirst("^Failed to parse cron expression\\. ", "");
            throw new PolicyException("", "invalid cron expression \"" + text + "\": " + reason);
        }
        if (executionTime.nextExecution(Instant.EPOCH.atZone(zone)).isEmpty()) {
            throw new PolicyException("", "cron expression \"" + text + "\" never fires");
        }
        return new Schedule(text, zone, executionTime);
    }

    /** The first time strictly after {@code after} at which the schedule fires. */
    public Instant next(Instant after) {
        return executionTime.nextExecution(after.truncatedTo(ChronoUnit.SECONDS).atZone(zone))
                .map(t -> t.toInstant())
                .orElseThrow(() -> new IllegalStateException("\"" + expression + "\" does not fire after " + after));
    }

    public String expression() { return expression; }

    public ZoneId zone() { return zone; }

    @Override
    public boolean equals(Object o) {
        return o instanceof Schedule other && other.expression.equals(expression) && other.zone.equals(zone);
    }

    @Override
    public int hashCode() { return Objects.hash(expression, zone); }

    @Override
    public String toString() { return expression + (zone.equals(ZoneOffset.UTC) ? "" : " " + zone); }

    private static CronDefinition definition(boolean withSeconds) {
        // No question-mark support: with it, cron-utils requires both restricted day fields to match (Quartz's way).
        var fields = CronDefinitionBuilder.defineCron();
        if (withSeconds) fields = fields.withSeconds().withStrictRange().and();
        return fields.withMinutes().withStrictRange().and()
                .withHours().withStrictRange().and()
                .withDayOfMonth().withStrictRange().and()
                .withMonth().withStrictRange().and()
                .withDayOfWeek().withValidRange(0, 7).withMondayDoWValue(1).withIntMapping(7, 0).withStrictRange().and()
                .instance();
    }
}
