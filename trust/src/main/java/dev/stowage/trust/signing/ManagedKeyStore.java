package dev.stowage.trust.signing;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Managed signing's settings and keys, per project; private keys are sealed where they are stored. */
public interface ManagedKeyStore {
    /** Whether pushes to the project are signed (false for a project never set). */
    boolean enabled(String project);

    /** Every project that has signing on: what the push listener keeps in memory. */
    Set<String> enabledProjects();

    void setEnabled(String project, boolean enabled, Instant now);

    Optional<ProjectRoot> root(String project);

    /** Stores the project's root unless it has one; answers the one stored (another node's, when it won the race). */
    ProjectRoot putRootIfAbsent(ProjectRoot root);

    /** The project's keys, the newest first, active and retired; never their private halves. */
    List<ManagedKey> keys(String project);

    Optional<SigningKey> activeKey(String project);

    /** Adds the project's first active key; false (nothing written) when it has an active key already. */
    boolean addIfNoActiveKey(SigningKey key);

    /**
     * Retires {@code current} and makes {@code next} the active key, in one transaction; false (nothing written) when
     * {@code current} is no longer the active key (another rotation came first).
     */
    boolean rotate(String project, String current, SigningKey next, Instant now);
}
