package dev.stowage.core.access;

import java.time.Instant;
import java.util.List;

/**
 * A robot account, authenticated by a secret (stored as an Argon2id hash), allowed exactly its permissions until
 * {@code expiresAt} (null: no expiry) unless disabled. System robots are named {@code robot$<name>} and belong to
 * no project ({@code project} null); project robots are named {@code robot$<project>+<name>} and record their
 * project, which is what the project's administrators may manage (never the name alone: a system robot made
 * before names were separated may contain a {@code +}).
 */
public record RobotAccount(String name, String secretHash, List<RobotPermission> permissions, Instant expiresAt,
                           boolean disabled, Instant createdAt, String project) {
    public static final String PREFIX = "robot$";

    public RobotAccount {
        // A project robot reaches only its project, whatever its stored permissions say (defence in depth: they
        // are checked when it is created, and a migrated row is given a project only when they all fit).
        permissions = project == null ? List.copyOf(permissions)
                : permissions.stream().filter(p -> p.repositoryPattern().startsWith(project + "/")).toList();
    }

    /** A system robot. */
    public RobotAccount(String name, String secretHash, List<RobotPermission> permissions, Instant expiresAt,
                        boolean disabled, Instant createdAt) {
        this(name, secretHash, permissions, expiresAt, disabled, createdAt, null);
    }

    /** The project's robot called {@code robot$<project>+<name>}. */
    public static String projectRobotName(String project, String name) {
        return PREFIX + project + "+" + name;
    }

    public boolean usableAt(Instant now) {
        return !disabled && (expiresAt == null || now.isBefore(expiresAt));
    }

    @Override
    public String toString() {
        return "RobotAccount[name=" + name + ", permissions=" + permissions + ", expiresAt=" + expiresAt + ", disabled=" + disabled
                + (project == null ? "" : ", project=" + project) + "]";
    }
}
