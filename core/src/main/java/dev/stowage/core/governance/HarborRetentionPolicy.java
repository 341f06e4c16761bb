package dev.stowage.core.governance;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * A Harbor tag retention policy: retain rules joined by OR. A repository is in scope when some enabled rule's
 * repository selector takes it; there, an image is kept when any such rule retains it and removed otherwise.
 * Repositories no rule takes are left alone. Each rule first narrows the repository's images with its tag selector,
 * then its template retains some of those:
 * <ul>
 *   <li>{@code latestPushedK}: the K most recently pushed;</li>
 *   <li>{@code latestPulledN}: the N most recently pulled (images never pulled come last, newest push first);</li>
 *   <li>{@code nDaysSinceLastPush}: those pushed within the last N days;</li>
 *   <li>{@code nDaysSinceLastPull}: those pulled within the last N days (never pulled: not retained, as in Harbor);</li>
 *   <li>{@code always}: all of them.</li>
 * </ul>
 */
public record HarborRetentionPolicy(List<Rule> rules) implements RetentionPolicy {
    /** Harbor's limit. */
    public static final int MAX_RULES = 15;

    public enum Template {
        LATEST_PUSHED_K("latestPushedK"),
        LATEST_PULLED_N("latestPulledN"),
        N_DAYS_SINCE_LAST_PUSH("nDaysSinceLastPush"),
        N_DAYS_SINCE_LAST_PULL("nDaysSinceLastPull"),
        ALWAYS("always");

        private final String json;

        Template(String json) { this.json = json; }

        /** The template's name in Harbor's JSON, which is also the name of its one parameter. */
        public String json() { return json; }

        public boolean hasParameter() { return this != ALWAYS; }

        static Template fromJson(String name, String field) {
            return Arrays.stream(values()).filter(t -> t.json.equals(name)).findFirst().orElseThrow(() ->
                    new PolicyException(field, "must be one of " + Arrays.stream(values()).map(Template::json)
                            .collect(Collectors.joining(", "))));
        }
    }

    /** @param parameter K, N or days for the templates that take one; 0 for {@code always} */
    public record Rule(boolean disabled, Template template, int parameter, RepositorySelector repositories,
                       TagSelector tags) {
        private static final Comparator<ImageCandidate> NEWEST_PULL_FIRST = Comparator
                .comparing(ImageCandidate::lastPulledAt, Comparator.nullsLast(Comparator.reverseOrder()))
                .thenComparing(ImageCandidate.NEWEST_PUSH_FIRST);

        public Rule {
            if (template == null) throw new PolicyException("template", "required");
            if (repositories == null) throw new PolicyException("scope_selectors", "required");
            if (tags == null) throw new PolicyException("tag_selectors", "required");
            if (template.hasParameter() && parameter <= 0) {
                throw new PolicyException("params." + template.json(), "must be a positive integer");
            }
            if (!template.hasParameter() && parameter != 0) {
                throw new PolicyException("params", "always takes no parameter");
            }
        }

        public static Rule of(Template template, int parameter, RepositorySelector repositories, TagSelector tags) {
            return new Rule(false, template, parameter, repositories, tags);
        }

        /** e.g. {@code latestPushedK 10 (repositories matching "**", tags matching "**" and untagged)}. */
        public String describe() {
            return template.json() + (template.hasParameter() ? " " + parameter : "")
                    + " (" + repositories.describe() + ", " + tags.describe() + ")";
        }

        /** @param selected images this rule's selectors took, newest push first */
        List<ImageCandidate> retain(List<ImageCandidate> selected, Instant now) {
            Instant cutoff = now.minus(Duration.ofDays(parameter));
            return switch (template) {
                case LATEST_PUSHED_K -> selected.stream().limit(parameter).toList();
                case LATEST_PULLED_N -> selected.stream().sorted(NEWEST_PULL_FIRST).limit(parameter).toList();
                case N_DAYS_SINCE_LAST_PUSH -> selected.stream().filter(i -> !i.pushedAt().isBefore(cutoff)).toList();
                case N_DAYS_SINCE_LAST_PULL -> selected.stream()
                        .filter(i -> i.lastPulledAt() != null && !i.lastPulledAt().isBefore(cutoff)).toList();
                case ALWAYS -> selected;
            };
        }
    }

    public HarborRetentionPolicy {
        rules = List.copyOf(rules);
        if (rules.size() > MAX_RULES) throw new PolicyException("rules", "at most " + MAX_RULES + " rules");
    }

    /**
     * Reads the policy in Harbor's API shape: {@code {"algorithm":"or","rules":[{"template":"latestPushedK",
     * "params":{"latestPushedK":10},"tag_selectors":[{"kind":"doublestar","decoration":"matches","pattern":"**",
     * "untagged":true}],"scope_selectors":{"repository":[{"kind":"doublestar","decoration":"repoMatches",
     * "pattern":"**"}]}}]}}. Per rule, {@code disabled} is optional and {@code action} may only be {@code retain};
     * Harbor's {@code id} and {@code priority} are ignored. The schedule (Harbor's {@code trigger}) and scope are
     * kept apart from the policy and refused here.
     */
    public static HarborRetentionPolicy parse(String json) {
        PolicyJson.Obj root = PolicyJson.parse(json);
        root.allowOnly(Set.of("algorithm", "rules"));
        root.constant("algorithm", "or");
        List<PolicyJson.Element> elements = root.array("rules");
        if (elements.size() > MAX_RULES) throw new PolicyException("rules", "at most " + MAX_RULES + " rules");
        return new HarborRetentionPolicy(PolicyJson.eachRule(elements, HarborRetentionPolicy::parseRule));
    }

    private static Rule parseRule(PolicyJson.Obj rule) {
        rule.allowOnly(Set.of("id", "priority", "disabled", "action", "template", "params", "tag_selectors",
                "scope_selectors"));
        rule.constant("action", "retain");
        Template template = Template.fromJson(rule.string("template"), rule.path("template"));
        int parameter = 0;
        if (template.hasParameter()) {
            PolicyJson.Obj params = rule.object("params");
            params.allowOnly(Set.of(template.json()));
            parameter = params.positiveInteger(template.json());
        } else if (rule.has("params") && !rule.object("params").node().isEmpty()) {
            throw new PolicyException(rule.path("params"), "always takes no parameter");
        }
        return new Rule(rule.bool("disabled", false), template, parameter,
                RepositorySelector.fromScopeSelectors(rule), TagSelector.fromTagSelectors(rule));
    }

    @Override
    public RetentionPlan plan(List<ImageCandidate> candidates, Instant now, Predicate<ImageCandidate> protectedImage) {
        return RetentionPlanner.plan(candidates, now, protectedImage, this::evaluate);
    }

    private Map<ImageCandidate, RetentionPlanner.Outcome> evaluate(String repository, List<ImageCandidate> images,
                                                                  Instant now) {
        String inProject = RepositorySelector.pathInProject(repository);
        Map<ImageCandidate, RetentionPlanner.Outcome> outcomes = new HashMap<>();
        boolean inScope = false;
        for (int i = 0; i < rules.size(); i++) {
            Rule rule = rules.get(i);
            if (rule.disabled() || !rule.repositories().selects(inProject)) continue;
            inScope = true;
            List<ImageCandidate> selected = images.stream().filter(image -> rule.tags().selectsImage(image.tags())).toList();
            String decidedBy = "Harbor rules[" + i + "]: " + rule.describe();
            for (ImageCandidate image : rule.retain(selected, now)) {
                outcomes.putIfAbsent(image, new RetentionPlanner.Outcome(false, decidedBy));
            }
        }
        RetentionPlanner.Outcome rest = inScope ? new RetentionPlanner.Outcome(true, "Harbor: retained by no rule")
                : new RetentionPlanner.Outcome(false, "Harbor: repository in the scope of no rule");
        for (ImageCandidate image : images) outcomes.putIfAbsent(image, rest);
        return outcomes;
    }
}
