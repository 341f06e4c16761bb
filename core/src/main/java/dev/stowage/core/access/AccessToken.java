package dev.stowage.core.access;

import java.time.Instant;

/**
 * A personal access token: a user's revocable, expiring stand-in for their password on the command line
 * (the only way for an account whose sign-in needs a second factor). Presented as {@code stowage_pat_<id>_<secret>};
 * only the secret's hash is stored.
 */
public record AccessToken(String id, String username, String name, String secretHash, Instant expiresAt, Instant createdAt) {
    public static final String PREFIX = "stowage_pat_";

    public boolean usableAt(Instant now) {
        return expiresAt == null || now.isBefore(expiresAt);
    }

    @Override
    public String toString() {
        return "AccessToken[id=" + id + ", username=" + username + ", name=" + name + ", expiresAt=" + expiresAt + "]";
    }
}
