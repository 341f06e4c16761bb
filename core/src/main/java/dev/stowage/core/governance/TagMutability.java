package dev.stowage.core.governance;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A repository's tag mutability setting, as in ECR's PutImageTagMutability: every tag mutable, every tag immutable, or
 * either of these except the tags matching one of the exclusion filters (ECR wildcards: {@code *} is the only special
 * character).
 */
public record TagMutability(Mode mode, List<Glob> exclusionFilters) {
    public static final TagMutability MUTABLE = new TagMutability(Mode.MUTABLE, List.of());
    public static final TagMutability IMMUTABLE = new TagMutability(Mode.IMMUTABLE, List.of());
    /** ECR accepts at most this many exclusion filters. */
    public static final int MAX_FILTERS = 5;
    private static final Pattern FILTER = Pattern.compile("[0-9a-zA-Z._*-]{1,128}");
    private static final String FILTERS = "imageTagMutabilityExclusionFilters";

    public enum Mode { MUTABLE, IMMUTABLE, IMMUTABLE_WITH_EXCLUSION, MUTABLE_WITH_EXCLUSION }

    public TagMutability {
        if (mode == null) throw new PolicyException("imageTagMutability", "required");
        exclusionFilters = List.copyOf(exclusionFilters);
        boolean withExclusion = mode == Mode.IMMUTABLE_WITH_EXCLUSION || mode == Mode.MUTABLE_WITH_EXCLUSION;
        if (withExclusion && (exclusionFilters.isEmpty() || exclusionFilters.size() > MAX_FILTERS)) {
            throw new PolicyException(FILTERS, "1 to " + MAX_FILTERS + " filters required when imageTagMutability is " + mode);
        }
        if (!withExclusion && !exclusionFilters.isEmpty()) {
            throw new PolicyException(FILTERS, "only allowed when imageTagMutability is IMMUTABLE_WITH_EXCLUSION"
                    + " or MUTABLE_WITH_EXCLUSION");
        }
    }

    /** Validates each filter as ECR does ({@code [0-9a-zA-Z._*-]{1,128}}). */
    public static TagMutability of(Mode mode, List<String> exclusionFilters) {
        for (int i = 0; i < exclusionFilters.size(); i++) {
            String filter = exclusionFilters.get(i);
            if (filter == null || !FILTER.matcher(filter).matches()) {
                throw new PolicyException(FILTERS + "[" + i + "].filter", "must be 1 to 128 of the characters 0-9 a-z A-Z . _ - *");
            }
        }
        return new TagMutability(mode, exclusionFilters.stream().map(Glob::wildcard).toList());
    }

    /**
     * Reads ECR's request shape: {@code {"imageTagMutability":"IMMUTABLE_WITH_EXCLUSION",
     * "imageTagMutabilityExclusionFilters":[{"filterType":"WILDCARD","filter":"latest"}]}}.
     */
    public static TagMutability parse(String json) {
        PolicyJson.Obj setting = PolicyJson.parse(json);
        setting.allowOnly(Set.of("imageTagMutability", FILTERS));
        String modeName = setting.string("imageTagMutability");
        Mode mode;
        try {
            mode = Mode.valueOf(modeName);
        } catch (IllegalArgumentException e) {
            throw new PolicyException("imageTagMutability", "must be one of MUTABLE, IMMUTABLE, IMMUTABLE_WITH_EXCLUSION,"
                    + " MUTABLE_WITH_EXCLUSION");
        }
        List<String> filters = !setting.has(FILTERS) ? List.of() : setting.array(FILTERS).stream().map(element -> {
            PolicyJson.Obj filter = element.object();
            filter.allowOnly(Set.of("filterType", "filter"));
            if (!filter.string("filterType").equals("WILDCARD")) {
                throw new PolicyException(filter.path("filterType"), "must be WILDCARD");
            }
            return filter.string("filter");
        }).toList();
        return of(mode, filters);
    }

    public boolean isImmutable(String tag) {
        return immutabilityReason(tag).isPresent();
    }

    /** Why this setting makes the tag immutable, in words for an error message; empty when it is mutable. */
    public Optional<String> immutabilityReason(String tag) {
        String setting = "the repository's tag mutability " + mode;
        Optional<Glob> excludedBy = exclusionFilters.stream().filter(f -> f.matches(tag)).findFirst();
        return switch (mode) {
            case MUTABLE -> Optional.empty();
            case IMMUTABLE -> Optional.of(setting);
            case IMMUTABLE_WITH_EXCLUSION -> excludedBy.isPresent() ? Optional.empty()
                    : Optional.of(setting + " (no exclusion filter of " + PolicyJson.quoted(exclusionFilters) + " matches)");
            case MUTABLE_WITH_EXCLUSION -> excludedBy.map(f -> setting + " (exclusion filter \"" + f + "\" matches)");
        };
    }
}
