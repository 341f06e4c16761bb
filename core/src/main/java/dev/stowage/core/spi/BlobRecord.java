package dev.stowage.core.spi;

import dev.stowage.core.Digest;

public record BlobRecord(Digest digest, long size) {}
