package dev.stowage.core.service;

import dev.stowage.core.spi.BlobRecord;

import java.util.Optional;

/** A mount either linked an existing blob, or (when it could not) started an ordinary upload session. */
public record MountResult(Optional<BlobRecord> mounted, Optional<UploadStatus> upload) {}
