package dev.stowage.core.access;

/** Who is asking, once credentials have been checked. */
public sealed interface Principal {
    /** No credentials: may pull from public projects, nothing else. */
    record Anonymous() implements Principal {}

    /**
     * A signed-in user; a system administrator may do everything. {@code authentication} says how they proved it in
     * this request (see {@link Authentication}); the two-argument form says nothing, which is never a fresh proof.
     */
    record User(String username, boolean systemAdmin, Authentication authentication) implements Principal {
        public User {
            java.util.Objects.requireNonNull(authentication, "authentication");
        }

        public User(String username, boolean systemAdmin) {
            this(username, systemAdmin, Authentication.UNSPECIFIED);
        }

        public User authenticatedBy(Authentication how) {
            return new User(username, systemAdmin, how);
        }
    }

    /** A robot account for CI: exactly its permissions, nothing from roles. */
    record Robot(String name, java.util.List<RobotPermission> permissions) implements Principal {}

    Principal ANONYMOUS = new Anonymous();
}
