package dev.stowage.core.access;

import java.time.Duration;
import java.time.Instant;

/**
 * How a principal proved who they are, and when. The access controller asks it before a request that mints or
 * changes a credential: only a password (with the second factor when the account has one) or a sign-in at the
 * identity provider, made moments ago, may do that; a personal access token or a token derived from an older
 * sign-in may not, so that a leaked token cannot be turned into a permanent one.
 *
 * @param at when the proof was made (for a session token: when its holder signed in, not when it was issued)
 */
public record Authentication(Method method, Instant at) {
    public enum Method {
        /** The account's password, with the current TOTP code once a second factor is confirmed. */
        PASSWORD,
        /** A sign-in at the OpenID Connect provider. */
        IDENTITY_PROVIDER,
        /** A personal access token ({@code stowage_pat_...}). */
        ACCESS_TOKEN,
        /** Nothing said about it: a registry or refresh token, or a principal built without one. */
        UNSPECIFIED
    }

    /** What a principal built without saying how it signed in has: never a fresh proof. */
    public static final Authentication UNSPECIFIED = new Authentication(Method.UNSPECIFIED, Instant.EPOCH);

    public Authentication {
        java.util.Objects.requireNonNull(method, "method");
        java.util.Objects.requireNonNull(at, "at");
    }

    /** Whether this is a password or provider sign-in made at most {@code window} before {@code now}. */
    public boolean isFreshAt(Instant now, Duration window) {
        return (method == Method.PASSWORD || method == Method.IDENTITY_PROVIDER) && !at.isBefore(now.minus(window));
    }
}
