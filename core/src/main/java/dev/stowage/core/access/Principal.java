package dev.stowage.core.access;

/** Who is asking, once credentials have been checked. */
public sealed interface Principal {
    /** No credentials: may pull from public projects, nothing else. */
    record Anonymous() implements Principal {}

    /** A signed-in user; a system administrator may do everything. */
    record User(String username, boolean systemAdmin) implements Principal {}

    /** A robot account for CI: exactly its permissions, nothing from roles. */
    record Robot(String name, java.util.List<RobotPermission> permissions) implements Principal {}

    Principal ANONYMOUS = new Anonymous();
}
