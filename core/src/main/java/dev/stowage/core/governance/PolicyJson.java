package dev.stowage.core.governance;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads policy documents field by field, keeping the path of each value so every error names the field. Policies are
 * read by hand rather than data-bound because ECR's rules depend on combinations of fields (countUnit with countType,
 * tagPatternList with tagStatus) and a binder's errors would name Java types, not the user's JSON.
 */
final class PolicyJson {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private PolicyJson() {}

    static Obj parse(String json) {
        if (json == null || json.isBlank()) throw new PolicyException("", "empty document");
        try {
            return new Obj("", MAPPER.readTree(json));
        } catch (JacksonException e) {
            throw new PolicyException("", "not valid JSON: " + dev.stowage.core.JsonProblems.describe(e));
        }
    }

    /** {@code ["a","b"]}: lists in rule descriptions, written as in the JSON they came from. */
    static String quoted(List<?> values) {
        return values.stream().map(v -> "\"" + v + "\"").collect(Collectors.joining(",", "[", "]"));
    }

    /**
     * Parses each element of a rules array with {@code parser}; an error inside a rule is reported with the rule's
     * path in front of the field it names ({@code rules[2].selection.countUnit}).
     */
    static <R> java.util.List<R> eachRule(java.util.List<Element> elements, java.util.function.Function<Obj, R> parser) {
        java.util.List<R> rules = new java.util.ArrayList<>();
        for (Element element : elements) {
            Obj rule = element.object();
            try {
                rules.add(parser.apply(rule));
            } catch (PolicyException e) {
                if (e.field().startsWith(rule.path())) throw e;
                throw new PolicyException(child(rule.path(), e.field()), e.problem());
            }
        }
        return rules;
    }

    static String child(String path, String field) {
        return path.isEmpty() ? field : path + "." + field;
    }

    /** A JSON object at a path; absent fields and JSON nulls are the same thing. */
    record Obj(String path, JsonNode node) {
        Obj {
            if (node == null || !node.isObject()) throw new PolicyException(path, "must be an object");
        }

        void allowOnly(Set<String> fields) {
            for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!fields.contains(name)) {
                    throw new PolicyException(child(path, name), "unknown field (allowed: "
                            + String.join(", ", fields.stream().sorted().toList()) + ")");
                }
            }
        }

        boolean has(String field) {
            JsonNode value = node.get(field);
            return value != null && !value.isNull();
        }

        String path(String field) { return child(path, field); }

        private JsonNode required(String field) {
            if (!has(field)) throw new PolicyException(path(field), "required");
            return node.get(field);
        }

        String string(String field) {
            JsonNode value = required(field);
            if (!value.isTextual()) throw new PolicyException(path(field), "must be a string");
            return value.textValue();
        }

        Optional<String> optionalString(String field) {
            return has(field) ? Optional.of(string(field)) : Optional.empty();
        }

        int integer(String field) {
            JsonNode value = required(field);
            if (!value.isIntegralNumber() || !value.canConvertToInt()) {
                throw new PolicyException(path(field), "must be an integer");
            }
            return value.intValue();
        }

        int positiveInteger(String field) {
            JsonNode value = required(field);
            if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() <= 0) {
                throw new PolicyException(path(field), "must be a positive integer");
            }
            return value.intValue();
        }

        boolean bool(String field, boolean absent) {
            if (!has(field)) return absent;
            JsonNode value = node.get(field);
            if (!value.isBoolean()) throw new PolicyException(path(field), "must be true or false");
            return value.booleanValue();
        }

        Obj object(String field) {
            return new Obj(path(field), required(field));
        }

        /** The elements of an array field, each with its own path ({@code rules[2]}). */
        List<Element> array(String field) {
            JsonNode value = required(field);
            if (!value.isArray()) throw new PolicyException(path(field), "must be an array");
            List<Element> elements = new ArrayList<>();
            for (int i = 0; i < value.size(); i++) elements.add(new Element(path(field) + "[" + i + "]", value.get(i)));
            return elements;
        }

        List<String> strings(String field) {
            return array(field).stream().map(Element::string).toList();
        }

        /** A doublestar pattern; a malformed one is reported at this field. */
        Glob glob(String field) {
            String pattern = string(field);
            try {
                return Glob.compile(pattern);
            } catch (IllegalArgumentException e) {
                throw new PolicyException(path(field), e.getMessage());
            }
        }

        /** Requires {@code field} to have exactly {@code expected}, or to be absent. */
        void constant(String field, String expected) {
            if (has(field) && !string(field).equals(expected)) {
                throw new PolicyException(path(field), "must be \"" + expected + "\"");
            }
        }
    }

    record Element(String path, JsonNode node) {
        Obj object() { return new Obj(path, node); }

        String string() {
            if (node == null || !node.isTextual()) throw new PolicyException(path, "must be a string");
            return node.textValue();
        }
    }
}
