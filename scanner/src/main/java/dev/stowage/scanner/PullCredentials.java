package dev.stowage.scanner;

import dev.stowage.core.RepositoryName;
import dev.stowage.scanning.external.RegistryCredential;

import java.time.Duration;
import java.util.Optional;

/**
 * Mints what a scanner adapter sends when it pulls the image it was asked to scan: pull access to that one repository,
 * for {@code lifetime}, in the name of {@code scanner:<name>}. Empty where the registry needs no credential (access
 * control off).
 */
@FunctionalInterface
public interface PullCredentials {
    PullCredentials NONE = (scanner, repository, lifetime) -> Optional.empty();

    Optional<RegistryCredential> pullOnly(String scanner, RepositoryName repository, Duration lifetime);
}
