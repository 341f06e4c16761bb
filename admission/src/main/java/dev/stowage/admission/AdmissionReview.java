package dev.stowage.admission;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.stowage.core.ErrorCode;
import dev.stowage.core.JsonProblems;
import dev.stowage.core.RegistryException;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An {@code admission.k8s.io/v1} AdmissionReview request as kube-apiserver posts it, read with bounds (the caller
 * bounds the bytes; here the nesting and duplicate keys), and the review answered. A document that is not one is a
 * 400 naming what is wrong: without a request uid there is nothing to answer.
 */
public record AdmissionReview(String uid, String group, String version, String kind, String operation, String namespace,
                              String name, String subResource, boolean dryRun, JsonNode object, JsonNode oldObject) {
    public static final String API_VERSION = "admission.k8s.io/v1";
    public static final String KIND = "AdmissionReview";
    /**
     * Deeper than any workload object nests (managedFields' field sets go a few levels per field path), far below what
     * would strain a parser.
     */
    static final int MAX_NESTING = 200;
    private static final ObjectMapper READER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    static {
        READER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build());
    }

    /** Reads a review; a 400 (a RegistryException) names what is wrong with one that is not. */
    public static AdmissionReview parse(byte[] body) {
        JsonNode root;
        try {
            root = READER.readTree(body);
        } catch (JacksonException e) {
            throw bad("the body is not valid JSON: " + JsonProblems.describe(e));
        } catch (IOException e) {
            throw bad("the body is not valid JSON");
        }
        if (root == null || !root.isObject()) throw bad("the body must be an AdmissionReview (a JSON object)");
        String apiVersion = root.path("apiVersion").asText("");
        String kind = root.path("kind").asText("");
        if (!API_VERSION.equals(apiVersion) || !KIND.equals(kind)) {
            throw bad("expected apiVersion " + API_VERSION + " and kind " + KIND + ", not " + printable(apiVersion) + " "
                    + printable(kind) + " (configure the webhook with admissionReviewVersions: [v1])");
        }
        JsonNode request = root.get("request");
        if (request == null || !request.isObject()) throw bad("the AdmissionReview has no request");
        String uid = text(request, "uid").orElseThrow(() -> bad("the AdmissionReview's request has no uid"));
        if (uid.isEmpty() || uid.length() > 256) throw bad("request.uid must be 1 to 256 characters");
        JsonNode requestKind = request.get("kind");
        if (requestKind == null || !requestKind.isObject()) throw bad("the AdmissionReview's request has no kind");
        String operation = text(request, "operation").orElseThrow(() -> bad("the AdmissionReview's request has no operation"));
        JsonNode dryRun = request.get("dryRun");
        return new AdmissionReview(uid, text(requestKind, "group").orElse(""), text(requestKind, "version").orElse(""),
                text(requestKind, "kind").orElseThrow(() -> bad("request.kind has no kind")), operation,
                text(request, "namespace").orElse(""), text(request, "name").orElse(""),
                text(request, "subResource").orElse(""), dryRun != null && dryRun.isBoolean() && dryRun.booleanValue(),
                objectOrNull(request.get("object")), objectOrNull(request.get("oldObject")));
    }

    private static JsonNode objectOrNull(JsonNode node) {
        return node != null && node.isObject() ? node : null;
    }

    private static Optional<String> text(JsonNode object, String field) {
        JsonNode value = object.get(field);
        if (value == null || value.isNull()) return Optional.empty();
        if (!value.isTextual()) throw bad("request field '" + field + "' must be a string");
        return Optional.of(value.textValue());
    }

    private static RegistryException bad(String message) {
        return new RegistryException(ErrorCode.UNSUPPORTED, message, null, 400);
    }

    private static String printable(String text) {
        if (text.isEmpty()) return "(none)";
        StringBuilder out = new StringBuilder("'");
        for (int i = 0; i < text.length() && i < 64; i++) {
            char c = text.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return out.append(text.length() > 64 ? "...'" : "'").toString();
    }

    /** How the audit trail names the object: {@code Deployment default/web}, with the subresource if any. */
    public String subject() {
        String who = namespace.isEmpty() ? name : namespace + "/" + (name.isEmpty() ? generateName() : name);
        return kind + " " + who + (subResource.isEmpty() ? "" : " (" + subResource + ")");
    }

    private String generateName() {
        JsonNode generated = object == null ? null : object.path("metadata").get("generateName");
        return generated != null && generated.isTextual() ? generated.textValue() + "*" : "";
    }

    /** Whether the object is being deleted (finalizers are being removed): such updates are never refused. */
    public boolean beingDeleted() {
        JsonNode deletion = object == null ? null : object.path("metadata").get("deletionTimestamp");
        return deletion != null && !deletion.isNull();
    }

    /** The answer: an AdmissionReview whose response echoes this request's uid. */
    public Map<String, Object> answer(AdmissionDecision decision) {
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("uid", uid);
        response.put("allowed", decision.allowed());
        if (!decision.allowed()) {
            Map<String, Object> status = new LinkedHashMap<>();
            status.put("code", 403);
            status.put("reason", "Forbidden");
            status.put("message", decision.message());
            response.put("status", status);
        }
        List<String> warnings = decision.warnings();
        if (!warnings.isEmpty()) response.put("warnings", warnings);
        if (!decision.patch().isEmpty()) {
            response.put("patchType", "JSONPatch");
            response.put("patch", decision.patch().base64());
        }
        Map<String, Object> review = new LinkedHashMap<>();
        review.put("apiVersion", API_VERSION);
        review.put("kind", KIND);
        review.put("response", response);
        return review;
    }
}
