package dev.stowage.core.service;

import dev.stowage.core.Digest;

import java.util.Optional;

public record PutManifestResult(Digest digest, Optional<Digest> subject) {}
