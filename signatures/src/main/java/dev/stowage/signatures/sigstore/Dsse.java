package dev.stowage.signatures.sigstore;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stowage.core.Digest;
import dev.stowage.signatures.SignatureMediaTypes;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A DSSE envelope ({@code {payload, payloadType, signatures[{keyid, sig}]}}) carrying an in-toto Statement: what
 * cosign {@code .att} layers and Sigstore bundles' {@code dsseEnvelope} hold. Signatures are over the
 * pre-authentication encoding, never the payload alone.
 */
record Dsse(byte[] payload, String payloadType, List<byte[]> signatures) {
    static final int MAX_SIGNATURES = 8;
    static final int MAX_SUBJECTS = 1024;

    static Dsse parse(JsonNode envelope) throws Rejected {
        String what = "envelope";
        byte[] payload = Json.base64(envelope, "payload", what);
        String payloadType = Json.text(envelope, "payloadType", what);
        List<byte[]> signatures = new ArrayList<>();
        for (JsonNode signature : Json.array(envelope, "signatures", what, MAX_SIGNATURES)) {
            if (!signature.isObject()) throw Rejected.malformed(what + ": a signature is not an object");
            signatures.add(Json.base64(signature, "sig", what));
        }
        if (signatures.isEmpty()) throw Rejected.malformed(what + ": no signatures");
        return new Dsse(payload, payloadType, signatures);
    }

    /** DSSE's PAE: {@code "DSSEv1" SP len(type) SP type SP len(body) SP body}. */
    byte[] pae() {
        byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
        byte[] head = ("DSSEv1 " + type.length + " " + payloadType + " " + payload.length + " ")
                .getBytes(StandardCharsets.UTF_8);
        return Crypto.concat(head, payload);
    }

    /** The statement's predicate type, or empty when the payload is not a statement that says. */
    String predicateType() {
        try {
            return Json.optionalText(Json.parse(payload, "in-toto statement"), "predicateType", "in-toto statement")
                    .orElse("");
        } catch (Rejected e) {
            return "";
        }
    }

    /** The payload must be an in-toto Statement, one of whose subjects has {@code subject}'s digest. */
    void checkStatementNames(Digest subject) throws Rejected {
        if (!payloadType.equals(SignatureMediaTypes.IN_TOTO)) {
            throw Rejected.malformed("envelope: payload type " + Fulcio.printable(payloadType) + " is not in-toto");
        }
        JsonNode statement = Json.parse(payload, "in-toto statement");
        String type = Json.text(statement, "_type", "in-toto statement");
        if (!type.startsWith("https://in-toto.io/Statement/")) {
            throw Rejected.malformed("in-toto statement: _type " + Fulcio.printable(type));
        }
        List<String> named = new ArrayList<>();
        for (JsonNode entry : Json.array(statement, "subject", "in-toto statement", MAX_SUBJECTS)) {
            JsonNode digests = entry.get("digest");
            JsonNode value = digests == null ? null : digests.get(subject.algorithm());
            if (value != null && value.isTextual()) {
                if (value.textValue().equalsIgnoreCase(subject.hex())) return;
                if (named.size() < 3) named.add(subject.algorithm() + ":" + Fulcio.printable(value.textValue()));
            }
        }
        throw new Rejected("in-toto statement names " + (named.isEmpty() ? "no " + subject.algorithm() + " digest"
                : String.join(", ", named)) + ", not the manifest " + subject);
    }
}
