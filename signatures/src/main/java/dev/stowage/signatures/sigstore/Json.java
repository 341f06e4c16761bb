package dev.stowage.signatures.sigstore;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.stowage.core.JsonProblems;

import java.util.Base64;
import java.util.Optional;

/**
 * The bounded JSON reading every Sigstore document goes through: nesting at most {@value #MAX_DEPTH} deep, duplicate
 * fields refused (two {@code payload}s would let a verifier and a reader see different things), and typed field access
 * that reports a missing or mistyped field by its path.
 */
final class Json {
    static final int MAX_DEPTH = 32;
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH)
                .maxStringLength(1 << 20).build());
    }

    private Json() {}

    static JsonNode parse(byte[] document, String what) throws Rejected {
        try {
            JsonNode node = MAPPER.readTree(document);
            if (node == null || !node.isObject()) throw Rejected.malformed(what + ": not a JSON object");
            return node;
        } catch (JacksonException e) {
            throw Rejected.malformed(what + ": " + JsonProblems.describe(e));
        } catch (java.io.IOException e) {
            throw Rejected.malformed(what + ": unreadable");
        }
    }

    static JsonNode object(JsonNode parent, String field, String what) throws Rejected {
        JsonNode node = parent.get(field);
        if (node == null || !node.isObject()) throw Rejected.malformed(what + ": " + field + " is missing or not an object");
        return node;
    }

    static Optional<JsonNode> optionalObject(JsonNode parent, String field, String what) throws Rejected {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) return Optional.empty();
        if (!node.isObject()) throw Rejected.malformed(what + ": " + field + " is not an object");
        return Optional.of(node);
    }

    static JsonNode array(JsonNode parent, String field, String what, int max) throws Rejected {
        JsonNode node = parent.get(field);
        if (node == null || !node.isArray()) throw Rejected.malformed(what + ": " + field + " is missing or not an array");
        if (node.size() > max) throw Rejected.malformed(what + ": " + field + " has " + node.size() + " entries (at most " + max + ")");
        return node;
    }

    static String text(JsonNode parent, String field, String what) throws Rejected {
        JsonNode node = parent.get(field);
        if (node == null || !node.isTextual()) throw Rejected.malformed(what + ": " + field + " is missing or not a string");
        return node.textValue();
    }

    static Optional<String> optionalText(JsonNode parent, String field, String what) throws Rejected {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) return Optional.empty();
        if (!node.isTextual()) throw Rejected.malformed(what + ": " + field + " is not a string");
        return Optional.of(node.textValue());
    }

    /** A protobuf int64 in JSON: a string of digits (as protobuf writes it) or a number. */
    static long integer(JsonNode parent, String field, String what) throws Rejected {
        JsonNode node = parent.get(field);
        if (node != null && node.canConvertToLong() && node.isIntegralNumber()) return node.longValue();
        if (node != null && node.isTextual() && node.textValue().matches("[0-9]{1,18}")) return Long.parseLong(node.textValue());
        throw Rejected.malformed(what + ": " + field + " is missing or not an integer");
    }

    static byte[] base64(JsonNode parent, String field, String what) throws Rejected {
        return base64(text(parent, field, what), what + ": " + field);
    }

    /** Standard or URL-safe base64, padded or not: protobuf's JSON accepts both. */
    static byte[] base64(String text, String what) throws Rejected {
        try {
            String trimmed = text.strip();
            if (trimmed.indexOf('-') >= 0 || trimmed.indexOf('_') >= 0) return Base64.getUrlDecoder().decode(trimmed);
            return Base64.getDecoder().decode(trimmed);
        } catch (IllegalArgumentException e) {
            throw Rejected.malformed(what + ": not base64");
        }
    }
}
