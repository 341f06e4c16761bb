package dev.stowage.core;

import java.util.regex.Pattern;

/**
 * A repository name per the distribution spec's grammar: lower-case path components separated by '/',
 * each component alphanumeric runs joined by '.', '_', '__' or runs of '-'. The grammar excludes '..',
 * leading '/', and anything else that could escape a storage root.
 */
public record RepositoryName(String value) implements Comparable<RepositoryName> {
    public static final int MAX_LENGTH = 255;
    private static final Pattern GRAMMAR =
            Pattern.compile("[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*)*");

    public RepositoryName {
        if (value == null || value.isEmpty() || value.length() > MAX_LENGTH || !GRAMMAR.matcher(value).matches()) {
            throw new RegistryException(ErrorCode.NAME_INVALID, "invalid repository name: "
                    + (value == null ? "(none)" : value.length() > 80 ? value.substring(0, 80) + "..." : value));
        }
    }

    public static RepositoryName of(String value) {
        return new RepositoryName(value);
    }

    /** The first path component: the project (namespace) this repository belongs to. */
    public String project() {
        int slash = value.indexOf('/');
        return slash < 0 ? value : value.substring(0, slash);
    }

    @Override
    public String toString() { return value; }

    @Override
    public int compareTo(RepositoryName o) { return value.compareTo(o.value); }
}
