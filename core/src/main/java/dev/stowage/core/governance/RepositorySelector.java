package dev.stowage.core.governance;

import java.util.Set;

/**
 * Which repositories of a project a Harbor-style rule applies to. As in Harbor, the pattern sees the repository's path
 * within its project: for {@code team/app/web} in project {@code team} it sees {@code app/web}, so one rule reads the
 * same in every project it is copied to. A repository whose name has no slash is its own project; the pattern sees
 * its whole name (Harbor never has such repositories, and an empty path would only match {@code **}).
 */
public record RepositorySelector(Decoration decoration, Glob pattern) {
    public static final RepositorySelector ALL = new RepositorySelector(Decoration.MATCHES, Glob.compile("**"));

    public RepositorySelector {
        if (decoration == null || pattern == null) throw new IllegalArgumentException("decoration and pattern required");
    }

    public static RepositorySelector matching(String pattern) {
        return new RepositorySelector(Decoration.MATCHES, Glob.compile(pattern));
    }

    public static RepositorySelector excluding(String pattern) {
        return new RepositorySelector(Decoration.EXCLUDES, Glob.compile(pattern));
    }

    /** The part of a full repository name that repository patterns see: {@code team/app/web} gives {@code app/web}. */
    public static String pathInProject(String repository) {
        int slash = repository.indexOf('/');
        return slash < 0 ? repository : repository.substring(slash + 1);
    }

    public boolean selects(String repositoryInProject) {
        return pattern.matches(repositoryInProject) == (decoration == Decoration.MATCHES);
    }

    /** e.g. {@code repositories matching "**"}. */
    public String describe() {
        return "repositories " + decoration.word() + " \"" + pattern + "\"";
    }

    /** Harbor's form: {@code {"kind":"doublestar","decoration":"repoMatches"|"repoExcludes","pattern":"**"}}. */
    static RepositorySelector fromJson(PolicyJson.Obj json) {
        json.allowOnly(Set.of("kind", "decoration", "pattern"));
        json.constant("kind", "doublestar");
        Decoration decoration = switch (json.string("decoration")) {
            case "repoMatches" -> Decoration.MATCHES;
            case "repoExcludes" -> Decoration.EXCLUDES;
            default -> throw new PolicyException(json.path("decoration"), "must be \"repoMatches\" or \"repoExcludes\"");
        };
        return new RepositorySelector(decoration, json.glob("pattern"));
    }

    /** The one repository selector Harbor allows in a rule: {@code scope_selectors.repository[0]}. */
    static RepositorySelector fromScopeSelectors(PolicyJson.Obj rule) {
        PolicyJson.Obj scope = rule.object("scope_selectors");
        scope.allowOnly(Set.of("repository"));
        var selectors = scope.array("repository");
        if (selectors.size() != 1) throw new PolicyException(scope.path("repository"), "must hold exactly one selector");
        return fromJson(selectors.get(0).object());
    }
}
