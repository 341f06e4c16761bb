package dev.stowage.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stowage.core.Durations;
import dev.stowage.core.ErrorCode;
import dev.stowage.core.RegistryException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The one way the admin API reads fields of a JSON body: each value must be of its documented type, or the request
 * is answered 400 naming the field. Nothing is coerced: {@code "dryRun":"yes"} is not {@code true} (Jackson's
 * {@code asBoolean} would read it as false and run a real collection), {@code "systemAdmin":1} is not a boolean.
 * A JSON {@code null} counts as absent only for the optional strings and numbers documented as nullable.
 */
final class JsonFields {
    private JsonFields() {}

    /** The JSON object a request body holds; an empty body is an empty object when {@code emptyIsObject}. */
    static JsonNode parseObject(byte[] body, boolean emptyIsObject) {
        if (body.length == 0 && emptyIsObject) return Exchange.JSON.createObjectNode();
        try {
            JsonNode node = Exchange.JSON.readTree(body);
            if (node == null || !node.isObject()) throw notAnObject();
            return node;
        } catch (java.io.IOException e) {
            // Malformed, too deep or too long for the parser's limits: the client's mistake either way.
            throw notAnObject();
        }
    }

    static RegistryException notAnObject() {
        return new RegistryException(ErrorCode.UNSUPPORTED, "the body must be a JSON object", null, 400);
    }

    /** A required string. */
    static String string(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || !value.isTextual()) throw wrongType(field, "is required (a string)");
        return value.textValue();
    }

    /** An optional string; absent or null is empty. */
    static Optional<String> optionalString(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) return Optional.empty();
        if (!value.isTextual()) throw wrongType(field, "must be a string");
        return Optional.of(value.textValue());
    }

    /** An optional boolean: absent is {@code absent}; null or anything but true/false is refused. */
    static boolean bool(JsonNode body, String field, boolean absent) {
        return optionalBool(body, field).orElse(absent);
    }

    /** An optional boolean (for PATCH: absent leaves the setting as it is). */
    static Optional<Boolean> optionalBool(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null) return Optional.empty();
        if (!value.isBoolean()) throw wrongType(field, "must be true or false");
        return Optional.of(value.booleanValue());
    }

    /** A whole number from {@code min} to {@code max}, or null (absent too): for limits where null means none. */
    static Long nullableLong(JsonNode body, String field, long min, long max) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) return null;
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < min || value.longValue() > max) {
            throw wrongType(field, min == Long.MIN_VALUE && max == Long.MAX_VALUE ? "must be a whole number or null"
                    : "must be a whole number from " + min + " to " + max + ", or null");
        }
        return value.longValue();
    }

    /** A required array (its elements are read by the caller, with {@link #element}). */
    static JsonNode array(JsonNode body, String field, String of) {
        JsonNode value = body.get(field);
        if (value == null || !value.isArray()) throw wrongType(field, "is required (an array of " + of + ")");
        return value;
    }

    /** A required array of strings. */
    static List<String> strings(JsonNode body, String field) {
        List<String> out = new ArrayList<>();
        for (JsonNode n : array(body, field, "strings")) {
            if (!n.isTextual()) throw wrongType(field, "must be an array of strings");
            out.add(n.textValue());
        }
        return out;
    }

    /** A required JSON object. */
    static JsonNode object(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || !value.isObject()) throw wrongType(field, "is required (a JSON object)");
        return value;
    }

    /** An optional duration string ({@code 30d}, {@code PT1H}) from {@code min} to {@code max}; absent or null is empty. */
    static Optional<Duration> duration(JsonNode body, String field, Duration min, Duration max) {
        Optional<String> text = optionalString(body, field);
        try {
            return text.map(t -> Durations.parse(t, min, max, field));
        } catch (IllegalArgumentException e) {
            throw new RegistryException(ErrorCode.UNSUPPORTED, e.getMessage(), null, 400);
        }
    }

    static RegistryException wrongType(String field, String what) {
        return new RegistryException(ErrorCode.UNSUPPORTED, "the field '" + field + "' " + what, null, 400);
    }
}
