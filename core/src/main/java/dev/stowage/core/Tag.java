package dev.stowage.core;

import java.util.regex.Pattern;

/** A tag name per the spec: {@code [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}}. */
public record Tag(String value) implements Comparable<Tag> {
    private static final Pattern GRAMMAR = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}");

    public Tag {
        if (value == null || !GRAMMAR.matcher(value).matches()) {
            throw new RegistryException(ErrorCode.MANIFEST_INVALID, "invalid tag: "
                    + (value == null ? "(none)" : value.length() > 80 ? value.substring(0, 80) + "..." : value));
        }
    }

    public static Tag of(String value) { return new Tag(value); }

    @Override
    public String toString() { return value; }

    @Override
    public int compareTo(Tag o) { return value.compareTo(o.value); }
}
