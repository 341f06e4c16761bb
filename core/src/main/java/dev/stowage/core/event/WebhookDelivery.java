package dev.stowage.core.event;

import java.time.Instant;
import java.util.Objects;

/**
 * One event on its way to one webhook: the exact request body (every attempt sends the same bytes), how many
 * attempts were made and how the last one ended. While {@code PENDING}, {@code nextAttemptAt} is when it is due
 * (or, once claimed, when the claim lapses). {@code redeliveryOf} names the delivery this one repeats on request.
 * {@code lastStatusCode} is 0 when no HTTP answer came.
 */
public record WebhookDelivery(String id, String webhookId, String eventId, RegistryEvent.Type eventType, byte[] payload,
                              Status status, int attempts, Instant nextAttemptAt, int lastStatusCode, String lastError,
                              Instant createdAt, Instant updatedAt, String redeliveryOf) {
    public enum Status {
        PENDING,
        DELIVERED,
        /** Gave up after the last attempt; only a redelivery on request sends it again. */
        FAILED
    }

    public WebhookDelivery {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(webhookId, "webhookId");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(status, "status");
        lastError = lastError == null ? "" : lastError;
    }

    @Override
    public String toString() {
        return "WebhookDelivery[id=" + id + ", webhookId=" + webhookId + ", eventType=" + eventType + ", status=" + status
                + ", attempts=" + attempts + ", lastStatusCode=" + lastStatusCode + "]";
    }
}
