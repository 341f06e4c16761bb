package dev.stowage.core.governance;

import dev.stowage.core.Digest;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Test images with readable names: the digest of an image is the SHA-256 of its name. */
final class Images {
    static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
    static final String REPOSITORY = "team/app";
    private static final Map<Digest, String> NAMES = new ConcurrentHashMap<>();

    private Images() {}

    static Digest digestOf(String name) {
        Digest digest = Digest.sha256Of(name.getBytes(StandardCharsets.UTF_8));
        NAMES.put(digest, name);
        return digest;
    }

    static ImageCandidate image(String repository, String name, Instant pushedAt, Instant lastPulledAt, String... tags) {
        return new ImageCandidate(repository, digestOf(name), Set.of(tags), pushedAt, lastPulledAt);
    }

    /** An image of {@link #REPOSITORY} pushed {@code days} days before {@link #NOW}, never pulled. */
    static ImageCandidate pushedDaysAgo(String name, int days, String... tags) {
        return image(REPOSITORY, name, NOW.minus(Duration.ofDays(days)), null, tags);
    }

    static ImageCandidate pulledDaysAgo(ImageCandidate image, int days) {
        return new ImageCandidate(image.repository(), image.digest(), image.tags(), image.pushedAt(),
                NOW.minus(Duration.ofDays(days)));
    }

    static List<String> names(List<RetentionDecision> decisions) {
        return decisions.stream().map(d -> NAMES.get(d.candidate().digest())).toList();
    }

    static String decidedBy(List<RetentionDecision> decisions, String name) {
        return decisions.stream().filter(d -> name.equals(NAMES.get(d.candidate().digest())))
                .map(RetentionDecision::decidedBy).findFirst().orElseThrow(() -> new AssertionError(name + " not there"));
    }
}
