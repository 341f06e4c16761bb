package dev.stowage.core.audit;

import java.time.Instant;

/**
 * One audited fact: who (actor, or empty for anonymous), from where (source address, user agent), did what
 * (action: pull, push, delete, sign-in, token, denied, admin), to what (repository, tag or digest), and how it
 * ended (outcome: the HTTP status; detail: the error code or the admin change).
 */
public record AuditEvent(Instant at, String actor, String sourceAddress, String userAgent, String action,
                         String repository, String reference, int outcome, String detail) {}
