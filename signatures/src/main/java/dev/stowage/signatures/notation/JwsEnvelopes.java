package dev.stowage.signatures.notation;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.stowage.signatures.SignatureKind;
import dev.stowage.signatures.notation.NotationEnvelope.Refusal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the JWS envelope of signature-envelope-jws.md: the flattened JSON serialization with exactly the members
 * {@code payload}, {@code protected}, {@code header} and {@code signature}; the protected header's Notation attributes
 * with RFC 3339 times; the unprotected {@code x5c} chain. JSON nesting, duplicate members and the chain's length are
 * bounded so a hostile envelope costs little.
 */
final class JwsEnvelopes {
    /** Strict and shallow: envelopes and payloads are small, flat documents. */
    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(16).build());
        JSON.getFactory().configure(JsonParser.Feature.STRICT_DUPLICATE_DETECTION, true);
    }

    private static final Set<String> MEMBERS = Set.of("payload", "protected", "header", "signature");
    private static final Pattern BASE64URL = Pattern.compile("[A-Za-z0-9_-]*");

    private JwsEnvelopes() {
    }

    static NotationEnvelope parse(byte[] bytes) throws Refusal {
        JsonNode envelope = json(bytes, "envelope");
        if (!envelope.isObject()) throw malformed("the envelope is not a JSON object");
        if (envelope.has("signatures")) throw malformed("only the flattened JSON serialization is supported");
        for (Iterator<String> names = envelope.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!MEMBERS.contains(name)) throw malformed("unexpected member " + NotationEnvelope.quote(name));
        }
        String protectedPart = text(envelope, "protected");
        String payloadPart = text(envelope, "payload");
        byte[] signature = base64url(text(envelope, "signature"), "signature");
        byte[] payload = base64url(payloadPart, "payload");
        JsonNode header = json(base64url(protectedPart, "protected header"), "protected header");
        if (!header.isObject()) throw malformed("the protected header is not a JSON object");

        String alg = optionalText(header, "alg").orElseThrow(() -> malformed("the alg header is missing"));
        NotationAlgorithm algorithm = NotationAlgorithm.ofJws(alg).orElseThrow(() -> new Refusal(
                "algorithm " + NotationEnvelope.quote(alg) + " is not one Notation allows (PS256/384/512, ES256/384/512)"));
        List<String> critical = new ArrayList<>();
        JsonNode crit = header.get("crit");
        if (crit != null) {
            if (!crit.isArray() || crit.size() > 16) throw malformed("crit must be an array of at most 16 header names");
            for (JsonNode name : crit) {
                if (!name.isTextual()) throw malformed("crit must list header names");
                if (Set.of("alg", "cty", "crit", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ")
                        .contains(name.asText())) {
                    throw malformed("crit must not list the registered header " + name.asText());
                }
                critical.add(name.asText());
            }
        }
        Set<String> present = new HashSet<>();
        header.fieldNames().forEachRemaining(present::add);
        NotationEnvelope.SignedAttributes attributes = new NotationEnvelope.SignedAttributes(
                optionalText(header, "cty").orElse(null),
                optionalText(header, NotationEnvelope.SIGNING_SCHEME).orElse(null),
                time(header, NotationEnvelope.SIGNING_TIME),
                time(header, NotationEnvelope.AUTHENTIC_SIGNING_TIME),
                time(header, NotationEnvelope.EXPIRY),
                critical, present);
        Instant signingTime = NotationEnvelope.checkSignedAttributes(attributes);

        JsonNode unprotected = envelope.get("header");
        if (unprotected == null || !unprotected.isObject()) throw malformed("the unprotected header is missing");
        JsonNode x5c = unprotected.get("x5c");
        if (x5c == null || !x5c.isArray() || x5c.isEmpty()) throw new Refusal("the certificate chain (x5c) is missing");
        if (x5c.size() > NotationEnvelope.MAX_CHAIN) {
            throw new Refusal("the certificate chain has " + x5c.size() + " certificates, more than "
                    + NotationEnvelope.MAX_CHAIN);
        }
        List<byte[]> chain = new ArrayList<>();
        for (JsonNode certificate : x5c) {
            if (!certificate.isTextual()) throw malformed("x5c must hold base64 certificates");
            try {
                chain.add(Base64.getDecoder().decode(certificate.asText()));
            } catch (IllegalArgumentException e) {
                throw malformed("certificate " + (chain.size() + 1) + " of x5c is not base64");
            }
        }
        JsonNode timestamp = unprotected.get(NotationEnvelope.TIMESTAMP_SIGNATURE);
        byte[] signedBytes = (protectedPart + "." + payloadPart).getBytes(StandardCharsets.US_ASCII);
        return new NotationEnvelope(SignatureKind.NOTATION_JWS, algorithm, signedBytes, signature, payload,
                attributes.signingScheme(), signingTime, attributes.expiry(), List.copyOf(chain),
                timestamp != null && !timestamp.isNull());
    }

    private static JsonNode json(byte[] bytes, String what) throws Refusal {
        try {
            JsonNode node = JSON.readTree(bytes);
            if (node == null || node.isMissingNode()) throw malformed("the " + what + " is empty");
            return node;
        } catch (JacksonException e) {
            throw malformed("the " + what + " is not valid JSON: " + dev.stowage.core.JsonProblems.describe(e));
        } catch (IOException e) {
            throw malformed("the " + what + " is not valid JSON");
        }
    }

    private static String text(JsonNode node, String member) throws Refusal {
        JsonNode value = node.get(member);
        if (value == null || !value.isTextual()) throw malformed("the " + member + " member is missing or not a string");
        return value.asText();
    }

    private static Optional<String> optionalText(JsonNode node, String member) throws Refusal {
        JsonNode value = node.get(member);
        if (value == null) return Optional.empty();
        if (!value.isTextual()) throw malformed("the " + member + " header is not a string");
        return Optional.of(value.asText());
    }

    private static Optional<Instant> time(JsonNode header, String member) throws Refusal {
        Optional<String> text = optionalText(header, member);
        if (text.isEmpty()) return Optional.empty();
        try {
            return Optional.of(OffsetDateTime.parse(text.get(), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant());
        } catch (DateTimeParseException e) {
            throw malformed(member + " is not an RFC 3339 time: " + NotationEnvelope.quote(text.get()));
        }
    }

    /** Base64url without padding, as RFC 7515 section 2 defines it; padding or other characters are refused. */
    private static byte[] base64url(String text, String what) throws Refusal {
        if (!BASE64URL.matcher(text).matches()) throw malformed("the " + what + " is not base64url");
        try {
            return Base64.getUrlDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw malformed("the " + what + " is not base64url");
        }
    }

    private static Refusal malformed(String reason) {
        return new Refusal("malformed JWS: " + reason);
    }
}
