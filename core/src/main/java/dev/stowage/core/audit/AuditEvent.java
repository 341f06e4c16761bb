package dev.stowage.core.audit;

import java.time.Instant;

/**
 * One audited fact: who (actor, or empty for anonymous), from where (source address, user agent), did what
 * (action: pull, push, delete, sign-in, token, denied, admin), to what (repository, tag or digest as the client
 * named it, and the manifest digest it resolved to: a tag can be moved, a digest names what was pushed, pulled or
 * deleted), and how it ended (outcome: the HTTP status; detail: the error code or the admin change).
 */
public record AuditEvent(Instant at, String actor, String sourceAddress, String userAgent, String action,
                         String repository, String reference, int outcome, String detail, String digest) {

    /** An event that concerns no manifest. */
    public AuditEvent(Instant at, String actor, String sourceAddress, String userAgent, String action,
                      String repository, String reference, int outcome, String detail) {
        this(at, actor, sourceAddress, userAgent, action, repository, reference, outcome, detail, "");
    }
}
