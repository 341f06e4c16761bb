package dev.stowage.core.service;

import dev.stowage.core.RepositoryName;

/** Where an upload session stands: the client continues at {@code offset}. */
public record UploadStatus(RepositoryName repository, String id, long offset) {}
