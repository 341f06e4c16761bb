package dev.stowage.trust;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stowage.core.ErrorCode;
import dev.stowage.core.RegistryException;
import dev.stowage.core.RepositoryName;
import dev.stowage.core.access.Action;
import dev.stowage.core.spi.ManifestRecord;
import dev.stowage.core.spi.MetadataStore;
import dev.stowage.signatures.SignatureCheck;
import dev.stowage.server.Access;
import dev.stowage.server.AdminCall;
import dev.stowage.server.AdminRouteSet;
import dev.stowage.server.AdminRoutes;
import dev.stowage.server.ApiDoc;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/** The trust capability's admin routes: project trust policies, Sigstore trusted roots, verification results. */
public final class TrustRoutes implements AdminRouteSet {
    private static final String ARTIFACT = "/api/v1/repositories/{repository:.+}/artifacts/{reference}";
    private static final Pattern ROOT_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private final TrustService trust;
    private final TrustImageCheck check;
    private final MetadataStore metadata;
    /** Refuses (404) a project that does not exist. */
    private final Consumer<String> requireProject;
    /** Parses a trusted_root.json, throwing IllegalArgumentException naming what is wrong. */
    private final BiConsumer<String, byte[]> validateRoot;
    /** Re-verifies stored results in the background after a change: a project's, or every one's (empty). */
    private final Consumer<Optional<String>> reverifyLater;
    private final Clock clock;

    public TrustRoutes(TrustService trust, TrustImageCheck check, MetadataStore metadata, Consumer<String> requireProject,
                       BiConsumer<String, byte[]> validateRoot, Consumer<Optional<String>> reverifyLater, Clock clock) {
        this.trust = trust;
        this.check = check;
        this.metadata = metadata;
        this.requireProject = requireProject;
        this.validateRoot = validateRoot;
        this.reverifyLater = reverifyLater;
        this.clock = clock;
    }

    @Override
    public void declare(AdminRoutes routes) {
        routes.schema("TrustPolicy", """
                {"type": "object", "additionalProperties": false, "properties": {
                  "enforcement": {"type": "string", "enum": ["off", "audit", "enforce"], "default": "off"},
                  "trustManagedSigning": {"type": "boolean", "default": false},
                  "keys": {"type": "array", "maxItems": 64, "items": {"type": "object", "required": ["name", "publicKey"],
                    "properties": {"name": {"type": "string"}, "publicKey": {"type": "string", "description": "PEM"}}}},
                  "trustStores": {"type": "array", "maxItems": 16, "items": {"type": "object",
                    "required": ["name", "certificates", "trustedIdentities"],
                    "properties": {"name": {"type": "string"}, "certificates": {"type": "string", "description": "PEM CA certificates"},
                      "trustedIdentities": {"type": "array", "items": {"type": "string"}}}}},
                  "keyless": {"type": "array", "maxItems": 64, "items": {"type": "object", "required": ["name"],
                    "properties": {"name": {"type": "string"}, "issuer": {"type": "string"}, "issuerRegExp": {"type": "string"},
                      "subject": {"type": "string"}, "subjectRegExp": {"type": "string"}}}}}}""");
        routes.schema("SigstoreTrustedRoot", """
                {"type": "object", "description": "a Sigstore trusted_root.json (application/vnd.dev.sigstore.trustedroot+json;version=0.1)"}""");
        routes.path("/api/v1/projects/{project}/trust", Access.project(Action.MANAGE_PROJECT, "project"))
                .before(call -> requireProject.accept(call.variable("project")))
                .get(Access.project(Action.READ_PROJECT, "project"), ApiDoc.op("getProjectTrustPolicy",
                                "The project's trust policy: enforcement (off, audit, enforce), trustManagedSigning, trusted "
                                        + "keys, X.509 trust stores and keyless Sigstore identities, with its version. "
                                        + "Members of the project.").tag("trust")
                        .response(200, "the policy"), this::policy)
                .put(ApiDoc.op("putProjectTrustPolicy", "Replaces the project's trust policy and re-verifies the "
                                + "project's images in the background (pulls use the new policy at once). Project "
                                + "administrators.").tag("trust").body("TrustPolicy")
                        .response(200, "the policy as stored").response(400, "a field is invalid (the message names it)"),
                        this::putPolicy);
        routes.path("/api/v1/system/sigstore-roots", Access.system())
                .get(ApiDoc.op("listSigstoreRoots", "The installed Sigstore trusted roots (name, when installed, "
                                + "certificate authorities and logs). System administrators.").tag("trust")
                        .response(200, "the roots"), this::roots);
        routes.path("/api/v1/system/sigstore-roots/{name}", Access.system())
                .get(ApiDoc.op("getSigstoreRoot", "An installed trusted root's trusted_root.json as it was installed.")
                        .tag("trust").response(200, "the document").response(404, "no such root"), this::root)
                .put(ApiDoc.op("putSigstoreRoot", "Installs (or replaces) a Sigstore trusted root: the body is its "
                                + "trusted_root.json (Fulcio CAs, Rekor and CT log keys) that keyless signatures are "
                                + "verified against offline. Every image is re-verified in the background.").tag("trust")
                        .body("SigstoreTrustedRoot").response(200, "installed").response(400, "not a trusted root"),
                        this::putRoot)
                .delete(ApiDoc.op("deleteSigstoreRoot", "Removes an installed trusted root; every image is re-verified "
                                + "in the background.").tag("trust").response(204, "removed").response(404, "no such root"),
                        this::deleteRoot);
        // READ_PROJECT as the scanner's report: the registry actions (PULL, PUSH) are answered by the token protocol only
        routes.path(ARTIFACT + "/signatures", Access.repository(Action.READ_PROJECT, "repository"))
                .get(ApiDoc.op("getSignatureVerification", "The artifact's verification status (by tag or digest): "
                                + "verified, unverified or unsigned, and each signature and attestation found (cosign "
                                + "tags and OCI referrers) with its kind, signer, the policy entry that trusted it or why "
                                + "not. Computed now if the stored one predates the policy. Members of the project.")
                        .tag("trust").response(200, "the status").response(404, "no such artifact"), this::signatures);
        routes.path(ARTIFACT + "/signatures/verify", Access.repository(Action.SCAN_ARTIFACT, "repository"))
                .post(ApiDoc.op("verifySignatures", "Verifies the artifact's signatures again now and answers the new "
                                + "status. Members whose role pushes (developers and up).").tag("trust")
                        .response(200, "the status").response(404, "no such artifact"), this::verifyNow);
    }

    // --- policies -------------------------------------------------------------------------------------------------

    private static Map<String, Object> policyAnswer(ProjectTrustPolicy policy, long version, Optional<String> updatedAt) {
        Map<String, Object> m = new LinkedHashMap<>();
        ObjectNode json = policy.toJson();
        json.fields().forEachRemaining(f -> m.put(f.getKey(), f.getValue()));
        m.put("version", version);
        m.put("updatedAt", updatedAt.orElse(null));
        return m;
    }

    private void policy(AdminCall call) {
        String project = call.variable("project");
        Optional<TrustStore.StoredPolicy> stored = trust.store().policy(project);
        ProjectTrustPolicy policy = stored.map(p -> ProjectTrustPolicy.parse(p.document())).orElse(ProjectTrustPolicy.DEFAULT);
        call.sendJson(200, policyAnswer(policy, stored.map(TrustStore.StoredPolicy::version).orElse(0L),
                stored.map(p -> p.updatedAt().toString())));
    }

    private void putPolicy(AdminCall call) {
        String project = call.variable("project");
        JsonNode body = call.json("enforcement", "trustManagedSigning", "keys", "trustStores", "keyless");
        ProjectTrustPolicy policy;
        try {
            policy = ProjectTrustPolicy.parse(body);
        } catch (ProjectTrustPolicy.Invalid e) {
            throw AdminCall.badInput(e.getMessage());
        }
        TrustStore.StoredPolicy stored = trust.store().putPolicy(project, policy.toJsonText(), clock.instant());
        trust.policies().reload();
        check.forgetAll();
        reverifyLater.accept(Optional.of(project));
        call.sendJson(200, policyAnswer(policy, stored.version(), Optional.of(stored.updatedAt().toString())));
    }

    // --- roots ----------------------------------------------------------------------------------------------------

    private void roots(AdminCall call) {
        List<Map<String, Object>> items = new ArrayList<>();
        for (TrustStore.StoredRoot r : trust.store().roots()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", r.name());
            m.put("installedAt", r.installedAt().toString());
            items.add(m);
        }
        call.sendJson(200, Map.of("items", items));
    }

    private static String rootName(AdminCall call) {
        String name = call.variable("name");
        if (!ROOT_NAME.matcher(name).matches()) {
            throw AdminCall.badInput("name must be 1 to 64 letters, digits, '.', '_' or '-'");
        }
        return name;
    }

    private TrustStore.StoredRoot stored(String name) {
        return trust.store().roots().stream().filter(r -> r.name().equals(name)).findFirst()
                .orElseThrow(() -> new RegistryException(ErrorCode.NOT_FOUND, "no Sigstore trusted root named " + name,
                        Map.of("name", name)));
    }

    private void root(AdminCall call) {
        TrustStore.StoredRoot root = stored(rootName(call));
        call.sendBytes(200, "application/json", root.document().getBytes(StandardCharsets.UTF_8));
    }

    private void putRoot(AdminCall call) {
        String name = rootName(call);
        String document = call.jsonDocument();
        try {
            validateRoot.accept(name, document.getBytes(StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw AdminCall.badInput(e.getMessage());
        }
        trust.store().putRoot(name, document, clock.instant());
        trust.policies().reload();
        check.forgetAll();
        reverifyLater.accept(Optional.empty());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("installedAt", stored(name).installedAt().toString());
        call.sendJson(200, m);
    }

    private void deleteRoot(AdminCall call) {
        String name = rootName(call);
        if (!trust.store().deleteRoot(name)) stored(name); // 404
        trust.policies().reload();
        check.forgetAll();
        reverifyLater.accept(Optional.empty());
        call.sendEmpty(204);
    }

    // --- results --------------------------------------------------------------------------------------------------

    private void signatures(AdminCall call) {
        ManifestRecord manifest = call.artifact(metadata);
        RepositoryName repository = call.repository("repository");
        answer(call, repository, trust.current(repository, manifest.digest()));
    }

    private void verifyNow(AdminCall call) {
        ManifestRecord manifest = call.artifact(metadata);
        RepositoryName repository = call.repository("repository");
        answer(call, repository, trust.verify(repository, manifest.digest()));
    }

    private void answer(AdminCall call, RepositoryName repository, Optional<VerificationResult> found) {
        VerificationResult r = found.orElseThrow(() -> new RegistryException(ErrorCode.MANIFEST_UNKNOWN,
                "no artifact " + call.variable("reference") + " in " + repository, Map.of()));
        TrustPolicies.InForce policy = trust.policies().of(repository.project());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("repository", repository.value());
        m.put("digest", r.manifest().toString());
        m.put("status", r.status().apiName());
        m.put("enforcement", policy.policy().enforcement().apiName());
        m.put("policyVersion", r.policyVersion());
        m.put("computedAt", r.computedAt().toString());
        List<Object> checks = new ArrayList<>();
        for (SignatureCheck c : r.checks()) checks.add(VerificationResult.checkJson(c));
        m.put("signatures", checks);
        call.sendJson(200, m);
    }
}
