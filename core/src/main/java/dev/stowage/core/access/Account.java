package dev.stowage.core.access;

import java.time.Instant;

/** A local user. {@code passwordHash} is an Argon2id PHC string, or null for accounts that sign in elsewhere (OIDC). */
public record Account(String username, String passwordHash, boolean systemAdmin, boolean disabled, Instant createdAt) {
    @Override
    public String toString() {
        return "Account[username=" + username + ", systemAdmin=" + systemAdmin + ", disabled=" + disabled + "]";
    }
}
