package dev.stowage.core;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What is wrong with a JSON document, in words for a client: "nested too deeply (limit 64)", "duplicate field 'x'",
 * "unexpected character at line 1 column 9". Jackson's own messages name its classes and configuration methods
 * ({@code StreamReadConstraints.getMaxNestingDepth()}) and quote the input; none of that reaches a client.
 */
public final class JsonProblems {
    private static final Pattern DUPLICATE = Pattern.compile("^Duplicate field '([^']{1,100})'");
    private static final Pattern LIMIT = Pattern.compile("maximum allowed \\((\\d{1,10})");

    private JsonProblems() {}

    public static String describe(JacksonException e) {
        if (e instanceof StreamConstraintsException) {
            String original = String.valueOf(e.getOriginalMessage());
            if (original.contains("nesting depth")) {
                Matcher limit = LIMIT.matcher(original);
                return "nested too deeply" + (limit.find() ? " (limit " + limit.group(1) + ")" : "");
            }
            if (original.contains("Number")) return "a number is too long";
            if (original.contains("String")) return "a string is too long";
            if (original.contains("Name")) return "a field name is too long";
            return "the document is too large";
        }
        Matcher duplicate = DUPLICATE.matcher(String.valueOf(e.getOriginalMessage()));
        if (duplicate.find()) return "duplicate field '" + printable(duplicate.group(1)) + "'";
        String what = e instanceof JsonEOFException || String.valueOf(e.getOriginalMessage()).contains("end-of-input")
                ? "unexpected end" : "unexpected character";
        return what + at(e.getLocation());
    }

    private static String at(JsonLocation location) {
        if (location == null || location.getLineNr() < 1) return "";
        return " at line " + location.getLineNr() + " column " + location.getColumnNr();
    }

    /** A field name from the client, safe to echo: printable ASCII only. */
    private static String printable(String text) {
        StringBuilder out = new StringBuilder();
        for (char c : text.toCharArray()) out.append(c >= 0x20 && c < 0x7f ? c : '?');
        return out.toString();
    }
}
