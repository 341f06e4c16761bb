package dev.stowage.trust.signing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stowage.core.ErrorCode;
import dev.stowage.core.RegistryException;
import dev.stowage.core.RepositoryName;
import dev.stowage.core.access.Action;
import dev.stowage.core.spi.ManifestRecord;
import dev.stowage.core.spi.MetadataStore;
import dev.stowage.server.Access;
import dev.stowage.server.AdminCall;
import dev.stowage.server.AdminRouteSet;
import dev.stowage.server.AdminRoutes;
import dev.stowage.server.ApiDoc;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Managed signing's admin routes: a project's setting, its public keys and certificates (what clusters, cosign and
 * notation are configured to trust), rotation, and signing one artifact now. No route returns a private key.
 */
public final class SigningRoutes implements AdminRouteSet {
    private static final String PROJECT = "/api/v1/projects/{project}/signing";

    private final ManagedKeys keys;
    private final ManagedSigner signer;
    private final SignOnPush onPush;
    private final MetadataStore metadata;
    private final Consumer<String> requireProject;
    private final Clock clock;

    /** @param requireProject refuses (404) a project that does not exist */
    public SigningRoutes(ManagedKeys keys, ManagedSigner signer, SignOnPush onPush, MetadataStore metadata,
                         Consumer<String> requireProject, Clock clock) {
        this.keys = keys;
        this.signer = signer;
        this.onPush = onPush;
        this.metadata = metadata;
        this.requireProject = requireProject;
        this.clock = clock;
    }

    @Override
    public void declare(AdminRoutes routes) {
        routes.schema("ManagedSigning", """
                {"type": "object", "additionalProperties": false, "required": ["enabled"], "properties": {
                  "enabled": {"type": "boolean", "description": "sign every image and index pushed to the project"}}}""");
        routes.path(PROJECT, Access.project(Action.MANAGE_PROJECT, "project"))
                .before(call -> requireProject.accept(call.variable("project")))
                .get(Access.project(Action.READ_PROJECT, "project"), ApiDoc.op("getProjectSigning",
                                "Whether Stowage signs every image and index pushed to the project (managed signing, in "
                                        + "cosign's tag scheme and as a Notation referrer) and the id of the key it signs "
                                        + "with now. Members of the project.").tag("signing")
                        .response(200, "the setting"), this::setting)
                .put(ApiDoc.op("putProjectSigning", "Turns managed signing on or off: {enabled}. Turning it on makes the "
                                + "project's key (ECDSA P-256) and Notation certificates if it has none, so they can be "
                                + "published before the first push. Images pushed before are signed with POST "
                                + ".../artifacts/{reference}/sign. Project administrators.").tag("signing")
                        .body("ManagedSigning").response(200, "the setting as stored"), this::putSetting);
        routes.path(PROJECT + "/keys", Access.project(Action.READ_PROJECT, "project"))
                .before(call -> requireProject.accept(call.variable("project")))
                .get(ApiDoc.op("getProjectSigningKeys", "The project's managed keys, newest first, the active one and "
                                + "every retired one (retired keys still verify the signatures they made): id (SHA-256 "
                                + "of the public key's SubjectPublicKeyInfo), state, dates, the public key as PEM (for "
                                + "cosign verify --key, a sigstoreSigned policy, a Kubernetes policy controller) and the "
                                + "Notation certificate chain as PEM (code-signing leaf, then the project's root CA); and "
                                + "trustStore: the root certificates and trusted identities a Notation trust policy "
                                + "needs. Never a private key. Members of the project.").tag("signing")
                        .response(200, "the keys"), this::keysJson);
        routes.path(PROJECT + "/keys/rotate", Access.project(Action.MANAGE_PROJECT, "project"))
                .before(call -> requireProject.accept(call.variable("project")))
                .post(ApiDoc.op("rotateProjectSigningKey", "Makes a new active key with a new code-signing leaf under "
                                + "the project's root CA, and retires the old one. Retired keys are kept and trusted, so "
                                + "signatures made before stay valid; verifiers configured with the root CA need no "
                                + "change, those configured with a public key need the new one. At most "
                                + ManagedKeys.MAX_KEYS + " keys per project. Project administrators.").tag("signing")
                        .response(201, "the new active key").response(409, "the project has as many keys as it may have"),
                        this::rotate);
        routes.path("/api/v1/repositories/{repository:.+}/artifacts/{reference}/sign",
                        Access.repository(Action.MANAGE_PROJECT, "repository"))
                .post(ApiDoc.op("signArtifact", "Signs the image or index (by tag or digest) now with the project's "
                                + "active managed key, in cosign's tag scheme (appended to an existing cosign signature) "
                                + "and as a Notation referrer, whether or not the project signs its pushes; a form the "
                                + "active key has made already is not made again. Answers what became of each form. "
                                + "Signatures, SBOMs and attestations are not signed (400). Project administrators: the "
                                + "signature speaks for the project.").tag("signing")
                        .response(200, "both forms signed (now or before)")
                        .response(400, "not an image or index").response(404, "no such artifact"), this::sign);
    }

    private void setting(AdminCall call) {
        String project = call.variable("project");
        call.sendJson(200, settingJson(project, keys.store().enabled(project)));
    }

    private Map<String, Object> settingJson(String project, boolean enabled) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("enabled", enabled);
        m.put("activeKey", keys.keys(project).stream().filter(k -> k.state() == ManagedKey.State.ACTIVE)
                .map(ManagedKey::id).findFirst().orElse(null));
        return m;
    }

    private void putSetting(AdminCall call) {
        String project = call.variable("project");
        JsonNode body = call.json("enabled");
        JsonNode enabled = body.get("enabled");
        if (enabled == null || !enabled.isBoolean()) throw AdminCall.badInput("enabled must be true or false");
        if (enabled.booleanValue()) keys.activeKey(project);
        keys.store().setEnabled(project, enabled.booleanValue(), clock.instant());
        onPush.changed(project, enabled.booleanValue());
        call.sendJson(200, settingJson(project, enabled.booleanValue()));
    }

    private void keysJson(AdminCall call) {
        List<ManagedKey> all = keys.keys(call.variable("project"));
        List<Map<String, Object>> items = new ArrayList<>();
        Map<String, X509Certificate> roots = new LinkedHashMap<>();
        Set<String> identities = new LinkedHashSet<>();
        for (ManagedKey key : all) {
            items.add(keyJson(key));
            roots.putIfAbsent(ManagedKeys.keyId(key.root().getPublicKey()), key.root());
            identities.add(ManagedKeys.identity(key.leaf()));
        }
        Map<String, Object> trustStore = new LinkedHashMap<>();
        trustStore.put("name", ManagedKeys.TRUST_STORE_NAME);
        trustStore.put("rootCertificates", Pem.certificates(List.copyOf(roots.values())));
        trustStore.put("trustedIdentities", List.copyOf(identities));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("items", items);
        answer.put("trustStore", trustStore);
        call.sendJson(200, answer);
    }

    private static Map<String, Object> keyJson(ManagedKey key) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", key.id());
        m.put("state", key.state().name());
        m.put("algorithm", "ECDSA P-256");
        m.put("createdAt", key.createdAt().toString());
        m.put("retiredAt", key.retiredAt().map(Object::toString).orElse(null));
        m.put("publicKey", Pem.publicKey(key.publicKey()));
        m.put("certificateChain", Pem.certificates(key.chain()));
        m.put("certificateSubject", key.leaf().getSubjectX500Principal().getName());
        m.put("certificateNotAfter", key.leaf().getNotAfter().toInstant().toString());
        return m;
    }

    private void rotate(AdminCall call) {
        try {
            call.sendJson(201, keyJson(keys.rotate(call.variable("project"))));
        } catch (ManagedKeys.TooManyKeysException e) {
            throw new RegistryException(ErrorCode.CONFLICT, e.getMessage(), Map.of("keys", ManagedKeys.MAX_KEYS));
        }
    }

    private void sign(AdminCall call) {
        RepositoryName repository = call.repository("repository");
        ManifestRecord manifest = call.artifact(metadata);
        ManagedSigner.Outcome outcome;
        try {
            outcome = signer.sign(repository.project(), repository, manifest.digest());
        } catch (ManagedSigner.NotSignableException e) {
            throw AdminCall.badInput(e.getMessage());
        }
        if (outcome.failure().isPresent()) throw outcome.failure().get();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("digest", outcome.subject().toString());
        answer.put("key", outcome.keyId());
        answer.put("cosign", formJson(outcome.cosign()));
        answer.put("notation", formJson(outcome.notation()));
        call.sendJson(200, answer);
    }

    private static Map<String, Object> formJson(ManagedSigner.FormOutcome form) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", form.status().name());
        m.put("signature", form.signature().map(Object::toString).orElse(null));
        m.put("reason", form.reason());
        return m;
    }
}
