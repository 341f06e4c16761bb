package dev.stowage.scanning.sbom;

import com.github.packageurl.MalformedPackageURLException;
import com.github.packageurl.PackageURL;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The image an SBOM describes.
 *
 * @param registry       the registry's public address as clients pull from it, {@code host[:port]}, e.g.
 *                       {@code registry.example.com} or {@code localhost:5000}
 * @param repository     the repository name, e.g. {@code team/app}
 * @param manifestDigest the manifest's digest, {@code sha256:<64 hex>}
 * @param tag            the tag it was pushed under, if any
 */
public record ImageIdentity(String registry, String repository, String manifestDigest, Optional<String> tag) {
    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128}");

    public ImageIdentity {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(manifestDigest, "manifestDigest");
        Objects.requireNonNull(tag, "tag");
        if (registry.isBlank() || registry.contains("/")) {
            throw new IllegalArgumentException("registry must be host[:port], got '" + registry + "'");
        }
        if (repository.isBlank()) throw new IllegalArgumentException("repository must not be empty");
        if (!DIGEST.matcher(manifestDigest).matches()) {
            throw new IllegalArgumentException("manifestDigest must be sha256:<64 hex>, got '" + manifestDigest + "'");
        }
    }

    /**
     * The image's package URL (purl-spec {@code oci} type): the last repository segment as name, the digest as version,
     * the full location in {@code repository_url}, e.g.
     * {@code pkg:oci/app@sha256%3Aab...?repository_url=registry.example.com%2Fteam%2Fapp&tag=1.0}
     * (canonical form of the purl reference library: qualifier values percent-encoded).
     */
    public String purl() {
        String name = repository.substring(repository.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
        TreeMap<String, String> qualifiers = new TreeMap<>();
        qualifiers.put("repository_url", registry + "/" + repository);
        tag.ifPresent(t -> qualifiers.put("tag", t));
        try {
            return new PackageURL("oci", null, name, manifestDigest, qualifiers, null).canonicalize();
        } catch (MalformedPackageURLException e) {
            throw new IllegalArgumentException("no package URL for " + repository + "@" + manifestDigest, e);
        }
    }

    /** {@code registry/repository@digest}, for people and document names. */
    public String reference() {
        return registry + "/" + repository + "@" + manifestDigest;
    }
}
