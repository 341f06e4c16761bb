package dev.stowage.core;

/** A tag name per the spec: {@code [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}}. */
public record Tag(String value) implements Comparable<Tag> {

    public Tag {
        if (!isValid(value)) {
            throw new RegistryException(ErrorCode.TAG_INVALID, "invalid tag: "
                    + (value == null ? "(none)" : value.length() > 80 ? value.substring(0, 80) + "..." : value));
        }
    }

    public static Tag of(String value) { return new Tag(value); }

    /** The spec's grammar, checked by hand: tags are validated on every listing row, and a regex costs more. */
    static boolean isValid(String value) {
        if (value == null || value.isEmpty() || value.length() > 128) return false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
            if (!alnum && (i == 0 || (c != '.' && c != '-'))) return false;
        }
        return true;
    }

    @Override
    public String toString() { return value; }

    @Override
    public int compareTo(Tag o) { return value.compareTo(o.value); }
}
