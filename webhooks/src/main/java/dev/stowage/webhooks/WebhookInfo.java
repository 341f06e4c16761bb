package dev.stowage.webhooks;

import dev.stowage.core.event.RegistryEvent;
import dev.stowage.core.event.Webhook;

import java.time.Instant;
import java.util.Set;

/** A webhook as the API shows it: everything but the secret. */
public record WebhookInfo(String id, String project, String targetUrl, Set<RegistryEvent.Type> events, boolean enabled,
                          Instant createdAt) {
    static WebhookInfo of(Webhook w) {
        return new WebhookInfo(w.id(), w.project(), w.targetUrl(), w.events(), w.enabled(), w.createdAt());
    }
}
