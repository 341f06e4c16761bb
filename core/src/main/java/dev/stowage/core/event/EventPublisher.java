package dev.stowage.core.event;

/**
 * Where the registry reports what happened, after the fact is committed. Implementations hand the event over and
 * return: they never wait for I/O and never throw, so callers may publish from an event loop or in the middle of a
 * request without guarding the call.
 */
@FunctionalInterface
public interface EventPublisher {
    EventPublisher NOOP = event -> {};

    void publish(RegistryEvent event);
}
