package dev.stowage.core.governance;

import dev.stowage.core.Digest;

import java.time.Instant;
import java.util.Collections;
import java.util.Comparator;
import java.util.Set;
import java.util.TreeSet;

/**
 * One manifest of one repository as retention sees it: its tags there, when it was first pushed there, and when it
 * was last pulled (null: never). The caller decides what counts as an image (top-level manifests; not the children of
 * an index, nor referrers, which follow their subject).
 */
public record ImageCandidate(String repository, Digest digest, Set<String> tags, Instant pushedAt, Instant lastPulledAt) {

    /**
     * Newest push first; equal push times ordered by digest, so that "the N most recent" is the same set on every run
     * and every node even when a CI pushed several images within one clock tick.
     */
    public static final Comparator<ImageCandidate> NEWEST_PUSH_FIRST = Comparator
            .comparing(ImageCandidate::pushedAt, Comparator.reverseOrder())
            .thenComparing(ImageCandidate::digest);

    public ImageCandidate {
        if (repository == null || repository.isEmpty()) throw new IllegalArgumentException("repository required");
        if (digest == null || pushedAt == null) throw new IllegalArgumentException("digest and pushedAt required");
        tags = Collections.unmodifiableSortedSet(new TreeSet<>(tags));
    }

    public boolean isTagged() {
        return !tags.isEmpty();
    }

    /** The last pull, or the push for an image never pulled: ECR's {@code sinceImagePulled} clock. */
    public Instant lastPulledOrPushed() {
        return lastPulledAt != null ? lastPulledAt : pushedAt;
    }
}
