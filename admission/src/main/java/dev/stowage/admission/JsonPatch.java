package dev.stowage.admission;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An RFC 6902 JSON Patch of {@code replace} operations, as a mutating webhook answers it (the API server wants
 * {@code patchType: JSONPatch} and the patch base64-encoded). Each replace is preceded by a {@code test} of the value
 * it replaces, so a patch applied to an object that changed meanwhile fails instead of overwriting someone's edit.
 */
public final class JsonPatch {
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private final List<Map<String, Object>> operations = new ArrayList<>();

    /** A path segment as RFC 6901 writes it: {@code ~} as {@code ~0}, {@code /} as {@code ~1}. */
    public static String escape(String segment) {
        return segment.replace("~", "~0").replace("/", "~1");
    }

    /** Replaces the string at {@code pointer}, which must still be {@code was}. */
    public JsonPatch replace(String pointer, String was, String value) {
        Map<String, Object> test = new LinkedHashMap<>();
        test.put("op", "test");
        test.put("path", pointer);
        test.put("value", was);
        operations.add(test);
        Map<String, Object> replace = new LinkedHashMap<>();
        replace.put("op", "replace");
        replace.put("path", pointer);
        replace.put("value", value);
        operations.add(replace);
        return this;
    }

    public boolean isEmpty() {
        return operations.isEmpty();
    }

    public List<Map<String, Object>> operations() {
        return List.copyOf(operations);
    }

    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(operations);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The patch as the AdmissionReview's {@code response.patch} carries it. */
    public String base64() {
        return Base64.getEncoder().encodeToString(toJson());
    }

    @Override
    public String toString() {
        return new String(toJson(), StandardCharsets.UTF_8);
    }
}
