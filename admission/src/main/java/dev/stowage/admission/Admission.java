package dev.stowage.admission;

import dev.stowage.core.Digest;
import dev.stowage.core.Reference;
import dev.stowage.core.RegistryException;
import dev.stowage.core.RepositoryName;
import dev.stowage.core.policy.ImageVerdict;
import dev.stowage.core.spi.ManifestRecord;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Kubernetes admission over the image policy: which images of a pod (or pod template) may run, and their tags
 * pinned to the digests that were checked. Each image must name this registry (or an external registry the
 * administrator allows unchecked), resolve (a tag to a manifest, a digest to one stored in that repository) as the
 * caller may see it, and pass the one image policy evaluation that pulls also run.
 */
public final class Admission {
    /** Enforce denies a failing image; audit admits it with the denial's sentence as a warning (for a rollout). */
    public enum Mode { ENFORCE, AUDIT }

    /**
     * @param registries                host names ({@code host[:port]}) under which clusters reach this registry
     * @param allowedExternalRegistries registries whose images are admitted unchecked (with a warning)
     * @param maxImages                 the most container images one object may have; more is refused whole
     */
    public record Settings(Set<String> registries, Set<String> allowedExternalRegistries, Mode mode, int maxImages) {
        public Settings {
            registries = normalized(registries);
            allowedExternalRegistries = normalized(allowedExternalRegistries);
        }

        private static Set<String> normalized(Set<String> hosts) {
            Set<String> out = new HashSet<>();
            for (String host : hosts) out.add(canonicalHost(host));
            return Set.copyOf(out);
        }
    }

    /** How images are found and judged, as the caller of the review may see them. */
    public interface Images {
        /**
         * The manifest {@code reference} names in {@code repository}, or empty when there is none or the caller may
         * not pull the repository (the two are answered alike, so a review cannot probe other projects).
         */
        Optional<ManifestRecord> resolve(RepositoryName repository, Reference reference);

        /** The one image policy evaluation, as pulls run it. */
        ImageVerdict evaluate(RepositoryName repository, ManifestRecord manifest);
    }

    /** What became of one container's image. */
    /** PASSED_WITH_WARNINGS: admitted (and pinned), but a project that audits its policy would have refused it. */
    public enum Status { PASSED, PASSED_WITH_WARNINGS, REFUSED, UNCHECKED_EXTERNAL }

    /**
     * @param digest  the manifest the image resolved to, when it did
     * @param reason  why it was refused, or the warning of an unchecked external image; "" when it passed
     * @param summary the policy's few words for the audit trail ({@code policy passed: vulnerabilities})
     */
    public record Outcome(PodImages.ContainerImage container, Status status, Optional<Digest> digest, String reason,
                          Optional<ImageReference> reference, String summary) {
        public String sentence() {
            return container.describe() + ": " + reason;
        }
    }

    static final String NOT_FOUND = "not found in this registry (no such repository, tag or digest, or the webhook's "
            + "credentials may not pull it)";

    private final Settings settings;

    public Admission(Settings settings) {
        this.settings = settings;
    }

    public Settings settings() {
        return settings;
    }

    /** The validating webhook's answer: denies (enforce) or warns (audit) for every failing image. */
    public AdmissionDecision validate(AdmissionReview review, Images images) {
        Optional<AdmissionDecision> untouched = untouched(review);
        if (untouched.isPresent()) return untouched.get();
        List<PodImages.ContainerImage> containers = PodImages.of(review.group(), review.kind(), review.object(),
                settings.maxImages());
        if (containers.size() > settings.maxImages()) {
            String why = review.kind() + " has more than " + settings.maxImages() + " container images; Stowage checks at "
                    + "most " + settings.maxImages() + " in one object";
            return settings.mode() == Mode.ENFORCE
                    ? new AdmissionDecision(false, List.of(why), List.of(), new JsonPatch(), List.of(), "denied: too many images")
                    : new AdmissionDecision(true, List.of(), List.of("audit mode, would be denied: " + why), new JsonPatch(),
                    List.of(), "audit: too many images");
        }
        List<Outcome> outcomes = judge(changed(review, containers), images);
        List<String> failures = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (Outcome outcome : outcomes) {
            switch (outcome.status()) {
                case REFUSED -> failures.add(outcome.sentence());
                case UNCHECKED_EXTERNAL, PASSED_WITH_WARNINGS -> warnings.add(outcome.sentence());
                case PASSED -> { }
            }
        }
        if (failures.isEmpty()) return new AdmissionDecision(true, List.of(), warnings, new JsonPatch(), outcomes, "allowed");
        if (settings.mode() == Mode.AUDIT) {
            List<String> all = new ArrayList<>();
            for (String failure : failures) all.add("audit mode, would be denied: " + failure);
            all.addAll(warnings);
            return new AdmissionDecision(true, List.of(), all, new JsonPatch(), outcomes, "audit: would deny");
        }
        return new AdmissionDecision(false, failures, warnings, new JsonPatch(), outcomes, "denied");
    }

    /**
     * The mutating webhook's answer: never a denial (the validating webhook denies), a patch pinning every image of
     * this registry that is named by tag and passes, to {@code host/repository:tag@digest}.
     */
    public AdmissionDecision mutate(AdmissionReview review, Images images) {
        Optional<AdmissionDecision> untouched = untouched(review);
        if (untouched.isPresent()) return untouched.get();
        List<PodImages.ContainerImage> containers = PodImages.of(review.group(), review.kind(), review.object(),
                settings.maxImages());
        if (containers.size() > settings.maxImages()) return AdmissionDecision.allowedUntouched("untouched: too many images");
        List<Outcome> outcomes = judge(changed(review, containers), images);
        JsonPatch patch = new JsonPatch();
        for (Outcome outcome : outcomes) {
            boolean passed = outcome.status() == Status.PASSED || outcome.status() == Status.PASSED_WITH_WARNINGS;
            if (!passed || outcome.reference().isEmpty()) continue;
            ImageReference reference = outcome.reference().get();
            if (reference.digest().isPresent()) continue; // already pinned
            patch.replace(outcome.container().pointer(), outcome.container().image(),
                    reference.pinnedTo(outcome.digest().orElseThrow().toString()));
        }
        return new AdmissionDecision(true, List.of(), List.of(), patch, outcomes,
                patch.isEmpty() ? "allowed, nothing to pin" : "pinned " + patch.operations().size() / 2 + " images");
    }

    /** Reviews answered without looking at images: other operations and kinds, objects being deleted. */
    private static Optional<AdmissionDecision> untouched(AdmissionReview review) {
        if (!review.operation().equals("CREATE") && !review.operation().equals("UPDATE")) {
            return Optional.of(AdmissionDecision.allowedUntouched("allowed: " + review.operation().toLowerCase(Locale.ROOT)));
        }
        if (!PodImages.handles(review.group(), review.kind())) {
            return Optional.of(AdmissionDecision.allowedUntouched("allowed: not a workload kind"));
        }
        if (review.beingDeleted()) return Optional.of(AdmissionDecision.allowedUntouched("allowed: being deleted"));
        return Optional.empty();
    }

    /**
     * The images to check: on CREATE all of them; on UPDATE those the old object did not already run, so scaling,
     * relabelling or removing a finalizer is never refused because of an image admitted earlier (new pods are still
     * checked when they are created).
     */
    private static List<PodImages.ContainerImage> changed(AdmissionReview review, List<PodImages.ContainerImage> all) {
        if (!review.operation().equals("UPDATE") || review.oldObject() == null) return all;
        Set<String> before = new HashSet<>();
        for (PodImages.ContainerImage old : PodImages.of(review.group(), review.kind(), review.oldObject(), Integer.MAX_VALUE - 1)) {
            before.add(old.image());
        }
        List<PodImages.ContainerImage> changed = new ArrayList<>();
        for (PodImages.ContainerImage container : all) if (!before.contains(container.image())) changed.add(container);
        return changed;
    }

    /** Each image judged once per review (pods name the same image in several containers). */
    private List<Outcome> judge(List<PodImages.ContainerImage> containers, Images images) {
        Map<String, Outcome> byImage = new HashMap<>();
        List<Outcome> outcomes = new ArrayList<>(containers.size());
        for (PodImages.ContainerImage container : containers) {
            Outcome first = byImage.computeIfAbsent(container.image(), image -> judge(container, images));
            outcomes.add(new Outcome(container, first.status(), first.digest(), first.reason(), first.reference(),
                    first.summary()));
        }
        return outcomes;
    }

    private Outcome judge(PodImages.ContainerImage container, Images images) {
        ImageReference reference;
        try {
            reference = ImageReference.parse(container.image());
        } catch (ImageReference.InvalidReference e) {
            return refused(container, Optional.empty(), "not a valid image reference: " + e.getMessage(), Optional.empty());
        }
        String registry = canonicalHost(reference.registry());
        if (!settings.registries().contains(registry)) {
            if (settings.allowedExternalRegistries().contains(registry)) {
                return new Outcome(container, Status.UNCHECKED_EXTERNAL, Optional.empty(), "registry " + registry
                        + " is allowed unchecked (admission.allowedExternalRegistries); neither resolved nor checked "
                        + "against the image policy", Optional.of(reference), "unchecked external");
            }
            return refused(container, Optional.empty(), "registry " + registry + " is not this registry, and not among "
                    + "the external registries allowed (admission.allowedExternalRegistries)", Optional.of(reference));
        }
        RepositoryName repository;
        Reference pulled;
        try {
            repository = RepositoryName.of(reference.repository());
            pulled = Reference.parse(reference.pulledReference());
        } catch (RegistryException e) {
            return refused(container, Optional.empty(), "not a valid image reference: " + e.getMessage(), Optional.of(reference));
        }
        Optional<ManifestRecord> manifest = images.resolve(repository, pulled);
        if (manifest.isEmpty()) return refused(container, Optional.empty(), NOT_FOUND, Optional.of(reference));
        ImageVerdict verdict = images.evaluate(repository, manifest.get());
        if (!verdict.allowed()) {
            return new Outcome(container, Status.REFUSED, Optional.of(manifest.get().digest()), verdict.message(),
                    Optional.of(reference), verdict.summary());
        }
        if (!verdict.warnings().isEmpty()) {
            String audited = "audited, not enforced: " + String.join("; ",
                    verdict.warnings().stream().map(dev.stowage.core.policy.ImageRefusal::message).toList());
            return new Outcome(container, Status.PASSED_WITH_WARNINGS, Optional.of(manifest.get().digest()), audited,
                    Optional.of(reference), verdict.summary());
        }
        return new Outcome(container, Status.PASSED, Optional.of(manifest.get().digest()), "", Optional.of(reference),
                verdict.summary());
    }

    private static Outcome refused(PodImages.ContainerImage container, Optional<Digest> digest, String reason,
                                   Optional<ImageReference> reference) {
        return new Outcome(container, Status.REFUSED, digest, reason, reference, "refused");
    }

    /** A registry host as compared: lower case, the default HTTPS port dropped ({@code reg:443} is {@code reg}). */
    static String canonicalHost(String host) {
        String h = host.trim().toLowerCase(Locale.ROOT);
        if (h.endsWith(":443")) h = h.substring(0, h.length() - 4);
        if (h.equals("index.docker.io") || h.equals("registry-1.docker.io")) h = ImageReference.DOCKER_HUB;
        return h;
    }
}
