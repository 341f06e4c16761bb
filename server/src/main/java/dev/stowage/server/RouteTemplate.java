package dev.stowage.server;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A path template such as {@code /api/v1/projects/{name}/quota}. A variable matches one segment; one written
 * {@code {repository:.+}} matches what its pattern does (repository names contain slashes), and
 * {@code {id:[0-9]{1,18}}} only digits. Where templates overlap (a multi-segment name followed by a literal), the
 * one with more literal segments is tried first, so {@code /repositories/{repository:.+}/artifacts} wins over
 * {@code /repositories/{repository:.+}} whatever order they were declared in.
 */
final class RouteTemplate {
    private final String text;
    private final String documented;
    private final Pattern pattern;
    private final List<String> variables;
    private final int literalSegments;

    private RouteTemplate(String text, String documented, Pattern pattern, List<String> variables, int literalSegments) {
        this.text = text;
        this.documented = documented;
        this.pattern = pattern;
        this.variables = variables;
        this.literalSegments = literalSegments;
    }

    static RouteTemplate parse(String template) {
        return parse(template, false);
    }

    /** With {@code prefix}, the template also matches any path below it. */
    static RouteTemplate parse(String template, boolean prefix) {
        if (!template.startsWith("/")) throw new IllegalArgumentException("a route template starts with /: " + template);
        StringBuilder regex = new StringBuilder("^");
        StringBuilder documented = new StringBuilder();
        List<String> variables = new ArrayList<>();
        int i = 0;
        while (i < template.length()) {
            char c = template.charAt(i);
            if (c == '{') {
                int depth = 1;
                int j = i + 1;
                while (j < template.length() && depth > 0) {
                    if (template.charAt(j) == '{') depth++;
                    if (template.charAt(j) == '}') depth--;
                    j++;
                }
                if (depth != 0) throw new IllegalArgumentException("unbalanced { in route template " + template);
                String inside = template.substring(i + 1, j - 1);
                int colon = inside.indexOf(':');
                String name = colon < 0 ? inside : inside.substring(0, colon);
                String variablePattern = colon < 0 ? "[^/]+" : inside.substring(colon + 1);
                if (variables.contains(name)) throw new IllegalArgumentException("variable " + name + " twice in " + template);
                variables.add(name);
                regex.append('(').append(variablePattern).append(')');
                documented.append('{').append(name).append('}');
                i = j;
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
                documented.append(c);
                i++;
            }
        }
        regex.append(prefix ? "(?:/.*)?$" : "$");
        int literals = 0;
        for (String segment : documented.toString().split("/")) {
            if (!segment.isEmpty() && !segment.contains("{")) literals++;
        }
        return new RouteTemplate(template, documented.toString(), Pattern.compile(regex.toString()), List.copyOf(variables),
                literals);
    }

    /** The variables' values when {@code path} matches. */
    Optional<Map<String, String>> match(String path) {
        Matcher m = pattern.matcher(path);
        if (!m.matches()) return Optional.empty();
        Map<String, String> values = new LinkedHashMap<>();
        for (int g = 0; g < variables.size(); g++) values.put(variables.get(g), m.group(g + 1));
        return Optional.of(values);
    }

    /** The template as OpenAPI writes it: variables without their patterns. */
    String documented() { return documented; }

    List<String> variables() { return variables; }

    int literalSegments() { return literalSegments; }

    @Override
    public String toString() { return text; }
}
