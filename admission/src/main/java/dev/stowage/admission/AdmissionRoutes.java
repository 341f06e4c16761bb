package dev.stowage.admission;

import dev.stowage.core.Reference;
import dev.stowage.core.RepositoryName;
import dev.stowage.core.access.Action;
import dev.stowage.core.policy.ImagePolicy;
import dev.stowage.core.policy.ImageVerdict;
import dev.stowage.core.service.RegistryService;
import dev.stowage.core.spi.ManifestRecord;
import dev.stowage.server.Access;
import dev.stowage.server.AdminCall;
import dev.stowage.server.AdminRouteSet;
import dev.stowage.server.AdminRoutes;
import dev.stowage.server.ApiDoc;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.function.Supplier;

/**
 * The admission webhooks: {@code POST /api/v1/admission/validate} and {@code /mutate} answer kube-apiserver's
 * AdmissionReviews. Any signed-in caller (the API server, with a robot's or a user's credentials) may ask; each image
 * is then resolved as that caller: the access controller is asked about its repository with the request's own
 * credentials, and a repository the caller may not pull is answered as one that does not exist.
 */
public final class AdmissionRoutes implements AdminRouteSet {
    /**
     * An AdmissionReview carries the object and, on updates, the old object: each at most the API server's 3 MiB
     * request limit in practice far less (etcd stores at most 1.5 MiB).
     */
    public static final int MAX_REVIEW_BYTES = 4 * 1024 * 1024;

    private final Admission admission;
    private final RegistryService registry;
    private final Supplier<ImagePolicy> policy;

    public AdmissionRoutes(Admission admission, RegistryService registry, Supplier<ImagePolicy> policy) {
        this.admission = admission;
        this.registry = registry;
        this.policy = policy;
    }

    @Override
    public void declare(AdminRoutes routes) {
        String access = " Any signed-in user or robot (configure the API server with its credentials); each image is "
                + "checked only in repositories the caller may pull, others are answered as not found.";
        routes.schema("AdmissionReview", """
                {"type": "object", "required": ["apiVersion", "kind", "request"], "properties": {
                  "apiVersion": {"type": "string", "enum": ["admission.k8s.io/v1"]},
                  "kind": {"type": "string", "enum": ["AdmissionReview"]},
                  "request": {"type": "object", "required": ["uid", "kind", "operation"],
                    "description": "as kube-apiserver sends it: uid, kind {group, version, kind}, operation, namespace, name, object, oldObject"}}}""");
        routes.path("/api/v1/admission/validate", Access.signedIn(Action.ADMIT_IMAGE))
                .post(ApiDoc.op("validateAdmission", "A validating admission webhook (admission.k8s.io/v1): for Pods and "
                                + "the pod templates of Deployments, StatefulSets, DaemonSets, ReplicaSets, "
                                + "ReplicationControllers, Jobs and CronJobs, every container, init container and ephemeral "
                                + "container image must be of this registry (or an allowed external one), resolve, and "
                                + "pass the image policy (vulnerabilities, signatures). Denies with a sentence per failing "
                                + "image, or in audit mode allows with them as warnings. Answers an AdmissionReview whose "
                                + "response.uid is the request's." + access).tag("admission").body("AdmissionReview")
                        .response(200, "the AdmissionReview answer (allowed or denied)")
                        .response(400, "not an admission.k8s.io/v1 AdmissionReview")
                        .response(413, "larger than 4 MiB"), call -> review(call, true));
        routes.path("/api/v1/admission/mutate", Access.signedIn(Action.ADMIT_IMAGE))
                .post(ApiDoc.op("mutateAdmission", "A mutating admission webhook (admission.k8s.io/v1): a JSONPatch that "
                                + "pins every image of this registry named by tag and passing the checks of the "
                                + "validating webhook to the digest checked (host/repository:tag@sha256:...). Never "
                                + "denies; the validating webhook does." + access).tag("admission").body("AdmissionReview")
                        .response(200, "the AdmissionReview answer, with patchType JSONPatch when images were pinned")
                        .response(400, "not an admission.k8s.io/v1 AdmissionReview")
                        .response(413, "larger than 4 MiB"), call -> review(call, false));
    }

    private void review(AdminCall call, boolean validating) {
        AdmissionReview review = AdmissionReview.parse(call.body(MAX_REVIEW_BYTES));
        AdmissionDecision decision = validating ? admission.validate(review, asCaller(call))
                : admission.mutate(review, asCaller(call));
        call.audit("admission", review.subject(), auditDetail(validating, review, decision));
        call.sendJson(200, review.answer(decision));
    }

    /** Images as this request's caller sees them: a repository it may not pull holds nothing. */
    private Admission.Images asCaller(AdminCall call) {
        ImagePolicy images = policy.get();
        Map<RepositoryName, Boolean> mayPull = new HashMap<>();
        return new Admission.Images() {
            @Override
            public Optional<ManifestRecord> resolve(RepositoryName repository, Reference reference) {
                if (!mayPull.computeIfAbsent(repository, r -> call.allows(Action.ADMIT_IMAGE, r))) return Optional.empty();
                return registry.findManifest(repository, reference);
            }

            @Override
            public ImageVerdict evaluate(RepositoryName repository, ManifestRecord manifest) {
                return images.evaluate(repository, manifest);
            }
        };
    }

    /**
     * The audit line: which webhook, the outcome, the mode, and each image checked with what it resolved to and why it
     * was refused ({@code validate denied (enforce) team/app:1 -> sha256:..: refused by vulnerabilities}).
     */
    private String auditDetail(boolean validating, AdmissionReview review, AdmissionDecision decision) {
        StringJoiner detail = new StringJoiner(" ");
        detail.add(validating ? "validate" : "mutate");
        detail.add(review.operation());
        detail.add(decision.note());
        detail.add("(" + admission.settings().mode().name().toLowerCase(java.util.Locale.ROOT) + ")");
        if (review.dryRun()) detail.add("dry-run");
        detail.add("uid=" + review.uid());
        StringJoiner images = new StringJoiner("; ", "images: ", "");
        images.setEmptyValue("");
        for (Admission.Outcome outcome : decision.outcomes()) {
            String image = outcome.container().image() + outcome.digest().map(d -> " -> " + d).orElse("") + " "
                    + outcome.status().name().toLowerCase(java.util.Locale.ROOT)
                    + (outcome.status() == Admission.Status.REFUSED ? ": " + outcome.reason() : "");
            images.add(image);
        }
        String list = images.toString();
        return list.isEmpty() ? detail.toString() : detail + " " + list;
    }
}
