package dev.stowage.admission;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Applies the RFC 6902 operations our patches use ({@code test}, {@code replace}) as the API server does: a failed
 * test or a missing path fails the whole patch. Written from the RFC, independently of {@link JsonPatch}.
 */
public final class JsonPatches {
    private JsonPatches() {
    }

    public static JsonNode apply(JsonNode document, JsonNode patch) {
        JsonNode result = document.deepCopy();
        for (JsonNode operation : patch) {
            JsonPointer pointer = JsonPointer.compile(operation.path("path").asText());
            JsonNode current = result.at(pointer);
            if (current.isMissingNode()) throw new IllegalArgumentException("no value at " + pointer);
            switch (operation.path("op").asText()) {
                case "test" -> {
                    if (!current.equals(operation.get("value"))) throw new IllegalArgumentException("test failed at " + pointer);
                }
                case "replace" -> {
                    JsonNode parent = result.at(pointer.head());
                    String last = pointer.last().getMatchingProperty();
                    if (parent instanceof ObjectNode object) {
                        object.set(last, operation.get("value"));
                    } else if (parent instanceof ArrayNode array) {
                        array.set(pointer.last().getMatchingIndex(), operation.get("value"));
                    }
                }
                default -> throw new IllegalArgumentException("unexpected op " + operation.path("op"));
            }
        }
        return result;
    }
}
