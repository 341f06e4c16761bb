package dev.stowage.trust;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stowage.core.Digest;
import dev.stowage.core.RepositoryName;
import dev.stowage.signatures.SignatureCheck;
import dev.stowage.signatures.SignatureKind;
import dev.stowage.signatures.Signer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The verification status of one manifest in one repository, as computed with its project's trust policy (version
 * {@code policyVersion}) and the installed Sigstore roots (generation {@code rootsVersion}).
 */
public record VerificationResult(RepositoryName repository, Digest manifest, Status status, List<SignatureCheck> checks,
                                 long policyVersion, long rootsVersion, Instant computedAt) {
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    public enum Status {
        /** At least one signature (not an attestation) verified by the trust policy. */
        VERIFIED,
        /** Signatures were found, none verified by the trust policy. */
        UNVERIFIED,
        /** No signature at all. */
        UNSIGNED;

        public String apiName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public VerificationResult {
        checks = List.copyOf(checks);
    }

    public static Status statusOf(List<SignatureCheck> checks) {
        boolean signed = false;
        for (SignatureCheck c : checks) {
            if (c.kind().attestation()) continue;
            signed = true;
            if (c.verified()) return Status.VERIFIED;
        }
        return signed ? Status.UNVERIFIED : Status.UNSIGNED;
    }

    /** The signatures (attestations left out): what the trust policy counts. */
    public List<SignatureCheck> signatures() {
        return checks.stream().filter(c -> !c.kind().attestation()).toList();
    }

    // --- the stored form of the checks ------------------------------------------------------------------------

    public static String checksJson(List<SignatureCheck> checks) {
        ArrayNode out = JSON.createArrayNode();
        for (SignatureCheck c : checks) out.add(checkJson(c));
        return out.toString();
    }

    /** One check as the API shows it (and the store keeps it). */
    public static ObjectNode checkJson(SignatureCheck c) {
        ObjectNode o = JSON.createObjectNode();
        o.put("kind", c.kind().apiName());
        o.put("artifact", c.artifact().toString());
        o.put("verified", c.verified());
        c.signer().ifPresent(s -> {
            ObjectNode signer = o.putObject("signer");
            signer.put("keyId", s.keyId());
            s.certificateSubject().ifPresent(v -> signer.put("certificateSubject", v));
            s.certificateIssuer().ifPresent(v -> signer.put("certificateIssuer", v));
            s.oidcIssuer().ifPresent(v -> signer.put("oidcIssuer", v));
            s.identity().ifPresent(v -> signer.put("identity", v));
        });
        c.trustedBy().ifPresent(v -> o.put("trustedBy", v));
        c.signedAt().ifPresent(v -> o.put("signedAt", v.toString()));
        o.put("reason", c.reason());
        return o;
    }

    public static List<SignatureCheck> parseChecks(String json) {
        JsonNode array;
        try {
            array = JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<SignatureCheck> out = new ArrayList<>();
        for (JsonNode o : array) {
            Optional<Signer> signer = Optional.empty();
            JsonNode s = o.get("signer");
            if (s != null) {
                signer = Optional.of(new Signer(s.path("keyId").asText(""), opt(s, "certificateSubject"),
                        opt(s, "certificateIssuer"), opt(s, "oidcIssuer"), opt(s, "identity")));
            }
            out.add(new SignatureCheck(kind(o.path("kind").asText()), Digest.parse(o.path("artifact").asText()),
                    o.path("verified").asBoolean(), signer, opt(o, "trustedBy"), opt(o, "signedAt").map(Instant::parse),
                    o.path("reason").asText("")));
        }
        return out;
    }

    private static SignatureKind kind(String apiName) {
        for (SignatureKind k : SignatureKind.values()) if (k.apiName().equals(apiName)) return k;
        throw new IllegalArgumentException("unknown signature kind " + apiName);
    }

    private static Optional<String> opt(JsonNode o, String field) {
        JsonNode v = o.get(field);
        return v == null || v.isNull() ? Optional.empty() : Optional.of(v.asText());
    }

    /** Who signed, in a few words: the keyless identity, else the certificate's subject, else the key's id. */
    public static String describe(Signer s) {
        return s.identity().or(s::certificateSubject).orElse("key " + s.keyId());
    }
}
