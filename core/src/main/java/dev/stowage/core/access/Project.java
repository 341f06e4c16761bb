package dev.stowage.core.access;

import java.time.Instant;

/**
 * A namespace: the first path component of its repositories' names. Public projects allow anonymous pulls.
 * {@code allowedNetworks}: comma-separated CIDRs its repositories may be reached from (empty: anywhere).
 */
public record Project(String name, boolean isPublic, Instant createdAt, String allowedNetworks) {
    public Project(String name, boolean isPublic, Instant createdAt) {
        this(name, isPublic, createdAt, "");
    }
}
