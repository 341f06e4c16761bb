package dev.stowage.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Prints the admin API's answers for people ({@link Format#table}) or for programs ({@link Format#json}). The
 * table form knows no verb: a list prints as aligned columns of its entries' fields, an object holding one list
 * prints that list and then its other fields, any other object as field/value lines with nested names dotted.
 */
final class AnswerPrinter {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_CELL = 60;

    enum Format { table, json }

    private AnswerPrinter() {}

    static void print(JsonNode answer, Format format, PrintWriter out) throws Exception {
        if (format == Format.json) {
            out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(answer));
        } else if (answer.isArray()) {
            table(answer, out);
        } else if (answer.isObject()) {
            String list = onlyList(answer);
            if (list != null) table(answer.get(list), out);
            Map<String, String> fields = new LinkedHashMap<>();
            answer.properties().forEach(e -> {
                if (!e.getKey().equals(list)) flatten(e.getKey(), e.getValue(), fields);
            });
            if (list != null) fields.forEach((k, v) -> out.println(k + ": " + v));
            else fieldLines(fields, out);
        } else {
            out.println(answer.asText());
        }
        out.flush();
    }

    /** One line for an error answer: {@code 403 DENIED: message (detail)}, or the status and the start of the body. */
    static String error(int status, String body) {
        try {
            JsonNode errors = JSON.readTree(body).path("errors");
            if (errors.isArray() && !errors.isEmpty()) {
                List<String> parts = new ArrayList<>();
                for (JsonNode e : errors) {
                    String detail = e.path("detail").isMissingNode() || e.path("detail").isNull() ? ""
                            : " (" + (e.path("detail").isTextual() ? e.path("detail").asText() : e.path("detail").toString()) + ")";
                    parts.add(e.path("code").asText() + ": " + e.path("message").asText() + detail);
                }
                return status + " " + String.join("; ", parts);
            }
        } catch (Exception notJson) {
            // a proxy's HTML page, say: its first line is the best there is
        }
        String first = body.strip().lines().findFirst().orElse("");
        return status + (first.isEmpty() ? "" : " " + cell(first));
    }

    /** The name of the only field holding a list, or null. */
    private static String onlyList(JsonNode object) {
        String found = null;
        for (Map.Entry<String, JsonNode> e : object.properties()) {
            if (e.getValue().isArray()) {
                if (found != null) return null;
                found = e.getKey();
            }
        }
        return found;
    }

    private static void table(JsonNode list, PrintWriter out) {
        if (list.isEmpty()) {
            out.println("(none)");
            return;
        }
        List<Map<String, String>> rows = new ArrayList<>();
        Set<String> columns = new LinkedHashSet<>();
        for (JsonNode entry : list) {
            Map<String, String> row = new LinkedHashMap<>();
            if (entry.isObject()) entry.properties().forEach(e -> row.put(e.getKey(), cell(text(e.getValue()))));
            else row.put("value", cell(text(entry)));
            columns.addAll(row.keySet());
            rows.add(row);
        }
        Map<String, Integer> widths = new LinkedHashMap<>();
        for (String c : columns) {
            int width = c.length();
            for (Map<String, String> row : rows) width = Math.max(width, row.getOrDefault(c, "-").length());
            widths.put(c, width);
        }
        List<String> header = new ArrayList<>();
        for (String c : columns) header.add(c.toUpperCase(Locale.ROOT));
        out.println(line(header, widths));
        for (Map<String, String> row : rows) {
            List<String> cells = new ArrayList<>();
            for (String c : columns) cells.add(row.getOrDefault(c, "-"));
            out.println(line(cells, widths));
        }
    }

    private static String line(List<String> cells, Map<String, Integer> widths) {
        StringBuilder b = new StringBuilder();
        int i = 0;
        for (int width : widths.values()) {
            String cell = cells.get(i);
            b.append(cell);
            if (++i < cells.size()) b.append(" ".repeat(width - cell.length() + 2));
        }
        return b.toString();
    }

    private static void fieldLines(Map<String, String> fields, PrintWriter out) {
        int width = fields.keySet().stream().mapToInt(String::length).max().orElse(0);
        fields.forEach((k, v) -> out.println(k + " ".repeat(width - k.length() + 2) + v));
    }

    private static void flatten(String name, JsonNode value, Map<String, String> into) {
        if (value.isObject() && !value.isEmpty()) {
            value.properties().forEach(e -> flatten(name + "." + e.getKey(), e.getValue(), into));
        } else {
            into.put(name, text(value));
        }
    }

    /** A value as one line: scalars as they are, a list of scalars comma-separated, anything else compact JSON. */
    private static String text(JsonNode value) {
        if (value.isNull() || value.isMissingNode()) return "-";
        if (value.isValueNode()) return value.asText();
        if (value.isArray()) {
            List<String> items = new ArrayList<>();
            for (JsonNode item : value) {
                if (!item.isValueNode()) return value.toString();
                items.add(item.asText());
            }
            return String.join(",", items);
        }
        return value.toString();
    }

    private static String cell(String text) {
        String oneLine = text.replaceAll("\\s*\\R\\s*", " ");
        return oneLine.length() <= MAX_CELL ? oneLine : oneLine.substring(0, MAX_CELL - 1) + "…";
    }
}
