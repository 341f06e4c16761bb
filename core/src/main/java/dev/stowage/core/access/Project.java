package dev.stowage.core.access;

import java.time.Instant;

/** A namespace: the first path component of its repositories' names. Public projects allow anonymous pulls. */
public record Project(String name, boolean isPublic, Instant createdAt) {}
