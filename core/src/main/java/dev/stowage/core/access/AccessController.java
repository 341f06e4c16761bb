package dev.stowage.core.access;

/**
 * The one place that decides whether a request may proceed. Every route calls it before doing anything; it
 * throws a RegistryException (UNAUTHORIZED or DENIED) to refuse. {@link #OPEN} is the registry without
 * authentication (the default until the identity capability is complete).
 */
public interface AccessController {
    /** Answers who is asking when the request may proceed. */
    Principal authorize(AccessRequest request);

    AccessController OPEN = request -> Principal.ANONYMOUS;
}
