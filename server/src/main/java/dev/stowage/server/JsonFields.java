package dev.stowage.server;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.stowage.core.Durations;
import dev.stowage.core.ErrorCode;
import dev.stowage.core.JsonProblems;
import dev.stowage.core.RegistryException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The one way the admin API reads fields of a JSON body: each value must be of its documented type, or the request
 * is answered 400 naming the field. Nothing is coerced: {@code "dryRun":"yes"} is not {@code true} (Jackson's
 * {@code asBoolean} would read it as false and run a real collection), {@code "systemAdmin":1} is not a boolean.
 * A JSON {@code null} counts as absent only for the optional strings and numbers documented as nullable. Each route
 * names the fields it reads when it parses its body ({@link #parseObject}); unknown fields and duplicate keys are 400.
 */
final class JsonFields {
    private JsonFields() {}

    /**
     * Admin bodies are read with duplicate keys refused ({@code {"role":"admin","role":"guest"}} is not "the last one
     * wins") and a nesting limit far above any body the API documents.
     */
    private static final ObjectMapper READER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    static {
        READER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build());
    }

    /**
     * The JSON object a request body holds, with only the {@code accepted} fields: any other is refused by name, so a
     * typo ({@code "dryrun"}) or a field the route does not change ({@code "permissions"} on a robot PATCH) is a 400,
     * never silently ignored. An empty body is an empty object when {@code emptyIsObject}.
     */
    static JsonNode parseObject(byte[] body, boolean emptyIsObject, String... accepted) {
        JsonNode node = parseDocument(body, emptyIsObject);
        requireOnly(node, null, accepted);
        return node;
    }

    /**
     * A body that is a whole domain document (a Harbor immutable rule, an ECR tag mutability setting): the domain's
     * parser refuses fields it does not know, naming them with their path; here only the JSON itself is checked.
     */
    static JsonNode parseDocument(byte[] body, boolean emptyIsObject) {
        if (body.length == 0 && emptyIsObject) return READER.createObjectNode();
        JsonNode node;
        try {
            node = READER.readTree(body);
        } catch (JacksonException e) {
            // Malformed, duplicated keys, too deep or too long for the parser's limits: the client's mistake.
            throw new RegistryException(ErrorCode.UNSUPPORTED, "the body is not valid JSON: " + JsonProblems.describe(e),
                    null, 400);
        } catch (java.io.IOException e) {
            throw new RegistryException(ErrorCode.UNSUPPORTED, "the body is not valid JSON", null, 400);
        }
        if (node == null || !node.isObject()) throw notAnObject();
        return node;
    }

    /**
     * Refuses the fields of {@code object} that are not {@code accepted}, all of them named in one message.
     * @param where the field that holds the object, for nested objects ({@code permissions}); null for the body
     */
    static void requireOnly(JsonNode object, String where, String... accepted) {
        List<String> allowed = List.of(accepted);
        List<String> unknown = new ArrayList<>();
        object.fieldNames().forEachRemaining(name -> {
            if (!allowed.contains(name)) unknown.add("'" + printable(name) + "'");
        });
        if (unknown.isEmpty()) return;
        throw new RegistryException(ErrorCode.UNSUPPORTED, (unknown.size() == 1 ? "unknown field " : "unknown fields ")
                + String.join(", ", unknown) + (where == null ? "" : " in " + where)
                + (allowed.isEmpty() ? " (this request takes no fields)" : " (accepted: " + String.join(", ", allowed) + ")"),
                null, 400);
    }

    /** A client's field name as it may be echoed in a message: printable ASCII, and not a whole novel. */
    private static String printable(String name) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < name.length() && i < 64; i++) {
            char c = name.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return name.length() > 64 ? out + "..." : out.toString();
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
