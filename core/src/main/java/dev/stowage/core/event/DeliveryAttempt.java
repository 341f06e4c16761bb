package dev.stowage.core.event;

import java.time.Duration;
import java.time.Instant;

/** One POST of a delivery: numbered from 1, its HTTP status (0 when none came) and what went wrong, if anything. */
public record DeliveryAttempt(String deliveryId, int number, Instant at, int statusCode, String error, Duration duration) {
    public DeliveryAttempt {
        if (number < 1) throw new IllegalArgumentException("attempts are numbered from 1: " + number);
        error = error == null ? "" : error;
    }

    public boolean succeeded() {
        return statusCode >= 200 && statusCode < 300;
    }
}
