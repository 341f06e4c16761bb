package dev.stowage.core.policy;

import dev.stowage.core.RepositoryName;
import dev.stowage.core.spi.ManifestRecord;

import java.util.Optional;

/**
 * One thing a project's policies may require of an image before it is pulled or admitted to a cluster: no
 * vulnerabilities above a severity, a trusted signature. Capabilities contribute checks; {@link ImagePolicy} runs them
 * all in one evaluation, for pulls and admission reviews alike.
 */
public interface ImageCheck {
    /** The check's name as refusals and the audit log show it ({@code vulnerabilities}, {@code signatures}). */
    String name();

    /** Why this image may not be pulled or run; empty when it may (or when its project asks nothing of this check). */
    Optional<ImageRefusal> check(RepositoryName repository, ManifestRecord manifest);

    /**
     * What this check would refuse were its project enforcing it, for a project that only audits: the evaluation
     * reports it as a warning (admission reviews show it), never as a refusal.
     */
    default Optional<ImageRefusal> audited(RepositoryName repository, ManifestRecord manifest) {
        return Optional.empty();
    }

    /**
     * Whether {@link #check} can answer from memory alone. A pull answered on the event loop asks first and, when a
     * check would have to wait for I/O, goes to a thread that may block.
     */
    default boolean decidesWithoutBlocking(RepositoryName repository, ManifestRecord manifest) {
        return true;
    }
}
