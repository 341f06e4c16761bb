package dev.stowage.core.event;

import java.util.Objects;

/** An event ready to be queued: what decides who gets it (type, project) and the request body every one of them gets. */
public record EncodedEvent(String eventId, RegistryEvent.Type type, String project, byte[] body) {
    public EncodedEvent {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(body, "body");
    }

    public static EncodedEvent of(RegistryEvent event, byte[] body) {
        return new EncodedEvent(event.id(), event.type(), event.project(), body);
    }
}
