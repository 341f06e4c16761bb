package dev.stowage.scanning.external;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The artifact an adapter is asked to scan, and where it pulls it from.
 *
 * @param registryUrl the base URL the adapter reaches Stowage's {@code /v2/} API at, e.g. {@code https://registry.example.com}
 * @param repository  e.g. {@code team/app}
 * @param digest      the manifest digest
 * @param tag         a tag it has, if any (informational)
 * @param mediaType   the manifest's media type (what the adapter's capabilities must consume)
 */
public record ScanTarget(URI registryUrl, String repository, String digest, Optional<String> tag, String mediaType) {
    private static final Pattern DIGEST = Pattern.compile("[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+");

    public ScanTarget {
        Objects.requireNonNull(registryUrl, "registryUrl");
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(tag, "tag");
        Objects.requireNonNull(mediaType, "mediaType");
        if (!DIGEST.matcher(digest).matches()) throw new IllegalArgumentException("not a digest: '" + digest + "'");
        if (repository.isBlank()) throw new IllegalArgumentException("the repository must not be empty");
    }
}
