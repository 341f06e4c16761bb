package dev.stowage.core;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * cosign's tag scheme: the signature, attestations and SBOM of manifest {@code sha256:<hex>} are tagged
 * {@code sha256-<hex>.sig}, {@code .att} and {@code .sbom} in the same repository. Such a tag names its subject the way
 * an OCI referrer's {@code subject} field does, so its manifest follows the subject through retention and garbage
 * collection like a referrer, and never counts as an image of its own.
 */
public final class CompanionTags {
    private static final Pattern COMPANION = Pattern.compile("sha256-([0-9a-f]{64})\\.(sig|att|sbom)");
    public static final List<String> SUFFIXES = List.of("sig", "att", "sbom");

    private CompanionTags() {
    }

    public static boolean isCompanion(String tag) {
        return COMPANION.matcher(tag).matches();
    }

    /** The manifest a companion tag names. */
    public static Optional<Digest> subjectOf(String tag) {
        Matcher m = COMPANION.matcher(tag);
        return m.matches() ? Optional.of(new Digest("sha256", m.group(1))) : Optional.empty();
    }

    /** The companion tags {@code manifest} may have ({@code sha256-<hex>.sig}, {@code .att}, {@code .sbom}). */
    public static List<Tag> of(Digest manifest) {
        if (!manifest.algorithm().equals("sha256")) return List.of();
        return SUFFIXES.stream().map(s -> Tag.of("sha256-" + manifest.hex() + "." + s)).toList();
    }
}
