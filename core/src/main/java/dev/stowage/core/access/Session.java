package dev.stowage.core.access;

import java.time.Instant;

/**
 * A sign-in session: what a refresh token (the offline token {@code docker login} keeps, or the one an OIDC
 * sign-in hands out) stands for. The token is a signed JWT whose id is {@code id}; revoking the session kills the
 * token at its next use.
 *
 * @param client how the session started ({@code docker login}, {@code oidc}), for the owner's list
 */
public record Session(String id, String username, Instant issuedAt, Instant expiresAt, Instant lastUsedAt,
                      Instant revokedAt, String client) {
    public boolean usableAt(Instant now) {
        return revokedAt == null && now.isBefore(expiresAt);
    }
}
