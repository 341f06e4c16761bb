package dev.stowage.app;

import java.util.List;
import java.util.Optional;

/**
 * One capability of a node (users, projects, robots, governance, webhooks, ...), contributing in one place what
 * it adds: registry policies and event listeners ({@link #prepare}, before the registry service exists), admin
 * routes and background jobs ({@link #start}, with the service), its database migrations and its CLI verbs. Every
 * capability is listed once in {@link Capabilities#all()}; {@link Stowage} and {@link Main} take what they
 * contribute from there. See "Adding a capability" in docs/ARCHITECTURE.md.
 */
public interface Capability {
    /**
     * Its name, lowercase: the section of stowage.yml its settings live in ({@link StowageConfig} holds the typed
     * section) and the name of its migration history table, {@code flyway_<name>_history}.
     */
    String name();

    /**
     * Its own Flyway migrations: a classpath folder holding {@code sqlite/} and {@code postgresql/}, versioned from
     * V1 in its own history table, so capabilities never share version numbers. Run at start, after the core
     * schema. (The migrations that existed before capabilities stay in the core history.)
     */
    default Optional<String> migrations() {
        return Optional.empty();
    }

    /** Its verbs of {@code stowage admin}: instances of picocli {@code @Command} classes. */
    default List<Object> adminCommands() {
        return List.of();
    }

    /** Its top-level verbs of {@code stowage} (such as {@code stowage vulndb}): picocli {@code @Command} instances. */
    default List<Object> commands() {
        return List.of();
    }

    /**
     * Before the registry service exists: builds its stores and domain objects from the node's shared parts and
     * contributes registry policies ({@link Contributions#policy}) and event listeners ({@link Contributions#listener}).
     * What {@link #start} needs later is kept in the capability's fields: one instance serves one node.
     */
    default void prepare(Node node, Contributions out) {
    }

    /**
     * With the registry service ({@link Node#service()}): contributes admin routes ({@link Contributions#adminRoutes}),
     * background jobs ({@link Contributions#job}) and what to close when the node stops ({@link Contributions#onClose}).
     */
    default void start(Node node, Contributions out) {
    }
}
