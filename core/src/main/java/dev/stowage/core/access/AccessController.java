package dev.stowage.core.access;

/**
 * The one place that decides whether a request may proceed. Every route calls it before doing anything; it
 * throws a RegistryException (UNAUTHORIZED or DENIED) to refuse. Authentication arrives in a later capability;
 * until then the registry is open, by this implementation and nothing else.
 */
public interface AccessController {
    void authorize(AccessRequest request);

    AccessController OPEN = request -> { };
}
