package dev.stowage.core.spi;

import dev.stowage.core.RepositoryName;

import java.time.Instant;

/** An upload session: which repository it targets, how many bytes are durably written, and when it was last active. */
public record UploadRecord(String id, RepositoryName repository, long offset, Instant startedAt, Instant updatedAt) {}
