package dev.stowage.core.access;

/**
 * The one place that decides whether a request may proceed. Every route calls it before doing anything; it
 * throws a RegistryException (UNAUTHORIZED or DENIED) to refuse. {@link #OPEN} is the registry without
 * authentication (the default until the identity capability is complete).
 */
public interface AccessController {
    /** Answers who is asking when the request may proceed. */
    Principal authorize(AccessRequest request);

    /**
     * The same decision from what is in memory only, for a request answered on an event loop (which must not block):
     * who is asking when it may proceed; empty when it would be refused or the decision needs a store, and then
     * {@link #authorize} decides.
     */
    default java.util.Optional<Principal> authorizeFromMemory(AccessRequest request) {
        return java.util.Optional.empty();
    }

    AccessController OPEN = new AccessController() {
        @Override
        public Principal authorize(AccessRequest request) {
            return Principal.ANONYMOUS;
        }

        @Override
        public java.util.Optional<Principal> authorizeFromMemory(AccessRequest request) {
            return java.util.Optional.of(Principal.ANONYMOUS);
        }
    };
}
