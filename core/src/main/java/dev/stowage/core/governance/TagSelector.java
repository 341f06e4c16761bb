package dev.stowage.core.governance;

import java.util.Set;

/**
 * Which tags, and so which images, a Harbor-style rule applies to.
 *
 * <p>For one tag (immutability): {@code matches} takes the tags the pattern matches, {@code excludes} the others.
 * For an image (retention), with Harbor's semantics: {@code matches} takes an image when any of its tags matches,
 * {@code excludes} when any of its tags does not match, so an image tagged {@code v1} and {@code latest} is taken by
 * "excluding v*" through {@code latest}. {@code untagged} adds untagged images to what the pattern names, and the
 * decoration applies to them as well: "matching ** and untagged" takes untagged images, "excluding v* and untagged"
 * leaves them out. Harbor keeps this flag in {@code extras} as {@code {"untagged":true}} with the same meaning.
 */
public record TagSelector(Decoration decoration, Glob pattern, boolean untagged) {

    public TagSelector {
        if (decoration == null || pattern == null) throw new IllegalArgumentException("decoration and pattern required");
    }

    public static TagSelector matching(String pattern) {
        return new TagSelector(Decoration.MATCHES, Glob.compile(pattern), false);
    }

    public static TagSelector excluding(String pattern) {
        return new TagSelector(Decoration.EXCLUDES, Glob.compile(pattern), false);
    }

    public TagSelector withUntagged(boolean untagged) {
        return new TagSelector(decoration, pattern, untagged);
    }

    public boolean selectsTag(String tag) {
        return pattern.matches(tag) == (decoration == Decoration.MATCHES);
    }

    public boolean selectsImage(Set<String> tags) {
        if (tags.isEmpty()) return untagged == (decoration == Decoration.MATCHES);
        for (String tag : tags) if (selectsTag(tag)) return true;
        return false;
    }

    /** e.g. {@code tags matching "v*"} or {@code tags excluding "tmp-*" and untagged}. */
    public String describe() {
        return "tags " + decoration.word() + " \"" + pattern + "\"" + (untagged ? " and untagged" : "");
    }

    /**
     * Harbor's form, {@code {"kind":"doublestar","decoration":"matches"|"excludes","pattern":"v*"}}, with the untagged
     * flag either as {@code "untagged":true} or as Harbor's {@code "extras":"{\"untagged\":true}"}. Absent, it takes
     * Harbor's default: untagged images are selected (true for matches, false for excludes).
     */
    static TagSelector fromJson(PolicyJson.Obj json) {
        json.allowOnly(Set.of("kind", "decoration", "pattern", "untagged", "extras"));
        json.constant("kind", "doublestar");
        Decoration decoration = switch (json.string("decoration")) {
            case "matches" -> Decoration.MATCHES;
            case "excludes" -> Decoration.EXCLUDES;
            default -> throw new PolicyException(json.path("decoration"), "must be \"matches\" or \"excludes\"");
        };
        Glob pattern = json.glob("pattern");
        if (json.has("untagged") && json.has("extras")) {
            throw new PolicyException(json.path("extras"), "give untagged or extras, not both");
        }
        boolean untagged = decoration == Decoration.MATCHES;
        if (json.has("untagged")) untagged = json.bool("untagged", untagged);
        if (json.has("extras")) untagged = untaggedFromExtras(json, untagged);
        return new TagSelector(decoration, pattern, untagged);
    }

    /** The one tag selector Harbor allows in a rule: {@code tag_selectors[0]}. */
    static TagSelector fromTagSelectors(PolicyJson.Obj rule) {
        var selectors = rule.array("tag_selectors");
        if (selectors.size() != 1) throw new PolicyException(rule.path("tag_selectors"), "must hold exactly one selector");
        return fromJson(selectors.get(0).object());
    }

    private static boolean untaggedFromExtras(PolicyJson.Obj json, boolean absent) {
        String extras = json.string("extras");
        if (extras.isBlank()) return absent;
        PolicyJson.Obj parsed;
        try {
            parsed = PolicyJson.parse(extras);
        } catch (PolicyException e) {
            throw new PolicyException(json.path("extras"), "must hold a JSON object such as {\"untagged\":true}");
        }
        PolicyJson.Obj located = new PolicyJson.Obj(json.path("extras"), parsed.node());
        located.allowOnly(Set.of("untagged"));
        return located.bool("untagged", absent);
    }
}
