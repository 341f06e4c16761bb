package dev.stowage.server;

import java.nio.file.Path;
import java.util.Optional;

/**
 * HTTPS from PEM files. With {@code clientCa}, clients present certificates signed by it: required when
 * {@code requireClientCertificate}, else optional (mutual TLS).
 */
public record TlsSettings(Path certificate, Path key, Optional<Path> clientCa, boolean requireClientCertificate) {}
