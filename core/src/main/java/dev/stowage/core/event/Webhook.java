package dev.stowage.core.event;

import java.time.Instant;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * A project's subscription: events of the given types in that project, and only those, are POSTed to
 * {@code targetUrl}, signed with {@code secret}. The secret has to be kept as it is (an HMAC key cannot be
 * hashed), so it is left out of {@link #toString()} and must never be logged.
 */
public record Webhook(String id, String project, String targetUrl, Set<RegistryEvent.Type> events, String secret,
                      boolean enabled, Instant createdAt) {
    public Webhook {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(targetUrl, "targetUrl");
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(createdAt, "createdAt");
        // EnumSet: iterates in declaration order, so the stored form is stable.
        events = events.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(events));
    }

    /**
     * Whether an event of {@code type} in {@code eventProject} is delivered here. An event of no project (registry-wide
     * figures) reaches no project's webhook: a project administrator hears only of their own project.
     */
    public boolean wants(RegistryEvent.Type type, String eventProject) {
        return enabled && events.contains(type) && project.equals(eventProject);
    }

    @Override
    public String toString() {
        return "Webhook[id=" + id + ", project=" + project + ", events=" + events + ", enabled=" + enabled + "]";
    }
}
