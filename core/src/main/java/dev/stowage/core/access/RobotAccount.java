package dev.stowage.core.access;

import java.time.Instant;
import java.util.List;

/**
 * A robot account: named {@code robot$<name>}, authenticated by a secret (stored as an Argon2id hash), allowed
 * exactly its permissions until {@code expiresAt} (null: no expiry) unless disabled.
 */
public record RobotAccount(String name, String secretHash, List<RobotPermission> permissions, Instant expiresAt,
                           boolean disabled, Instant createdAt) {
    public static final String PREFIX = "robot$";

    public RobotAccount {
        permissions = List.copyOf(permissions);
    }

    public boolean usableAt(Instant now) {
        return !disabled && (expiresAt == null || now.isBefore(expiresAt));
    }

    @Override
    public String toString() {
        return "RobotAccount[name=" + name + ", permissions=" + permissions + ", expiresAt=" + expiresAt + ", disabled=" + disabled + "]";
    }
}
