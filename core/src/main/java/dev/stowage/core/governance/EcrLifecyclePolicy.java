package dev.stowage.core.governance;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * An Amazon ECR lifecycle policy, accepted in ECR's own JSON and evaluated with ECR's rules:
 * <ul>
 *   <li>rules apply in increasing {@code rulePriority};</li>
 *   <li>an image selected by a rule (whether that rule expires it or not) cannot be expired by a later rule, so each
 *       image is expired by at most one rule;</li>
 *   <li>a later rule still sees the images earlier rules selected: {@code imageCountMoreThan} counts them;</li>
 *   <li>{@code imageCountMoreThan N} keeps the N most recently pushed images the rule selects and expires the rest;
 *       {@code sinceImagePushed}/{@code sinceImagePulled N days} expire images pushed/pulled more than N days ago
 *       (an image never pulled counts from its push);</li>
 *   <li>{@code tagPatternList} selects an image when every pattern matches at least one of its tags
 *       ({@code *} is the wildcard), {@code tagPrefixList} when every prefix starts at least one of its tags.</li>
 * </ul>
 * Stowage has one storage class, so {@code storageClass} may only be {@code standard} and the {@code transition}
 * action and {@code sinceImageTransitioned} are refused. A policy with no rules is accepted and expires nothing.
 */
public record EcrLifecyclePolicy(List<Rule> rules) implements RetentionPolicy {
    /** ECR's limit on wildcards in one tag pattern. */
    public static final int MAX_WILDCARDS = 4;
    private static final Pattern TAG_CHARACTERS = Pattern.compile("[A-Za-z0-9_.-]+");
    private static final Pattern PATTERN_CHARACTERS = Pattern.compile("[A-Za-z0-9_.*-]{1,255}");
    private static final String PATTERN_PROBLEM = "must be 1 to 255 of the characters of a tag (A-Z a-z 0-9 _ . -) and *";

    public enum TagStatus {
        TAGGED, UNTAGGED, ANY;

        public String json() { return name().toLowerCase(); }
    }

    public enum CountType {
        IMAGE_COUNT_MORE_THAN("imageCountMoreThan"),
        SINCE_IMAGE_PUSHED("sinceImagePushed"),
        SINCE_IMAGE_PULLED("sinceImagePulled");

        private final String json;

        CountType(String json) { this.json = json; }

        public String json() { return json; }
    }

    /**
     * One rule. Its invariants are checked here; a violation is a {@link PolicyException} whose field is relative to
     * the rule ({@code selection.tagPatternList}).
     *
     * @param tagPatternList ECR wildcards, each compiled with {@link Glob#wildcard}
     * @param countNumber    images for {@code imageCountMoreThan}, days otherwise
     */
    public record Rule(int rulePriority, String description, TagStatus tagStatus, List<Glob> tagPatternList,
                       List<String> tagPrefixList, CountType countType, int countNumber) {
        public Rule {
            description = description == null ? "" : description;
            tagPatternList = List.copyOf(tagPatternList);
            tagPrefixList = List.copyOf(tagPrefixList);
            if (rulePriority <= 0) throw new PolicyException("rulePriority", "must be a positive integer");
            if (tagStatus == null) throw new PolicyException("selection.tagStatus", "required");
            if (countType == null) throw new PolicyException("selection.countType", "required");
            if (countNumber <= 0) throw new PolicyException("selection.countNumber", "must be a positive integer");
            if (tagStatus == TagStatus.TAGGED) {
                if (tagPatternList.isEmpty() && tagPrefixList.isEmpty()) {
                    throw new PolicyException("selection", "tagStatus tagged needs tagPatternList or tagPrefixList");
                }
                if (!tagPatternList.isEmpty() && !tagPrefixList.isEmpty()) {
                    throw new PolicyException("selection", "give tagPatternList or tagPrefixList, not both");
                }
            } else {
                String listed = !tagPatternList.isEmpty() ? "tagPatternList" : !tagPrefixList.isEmpty() ? "tagPrefixList" : null;
                if (listed != null) {
                    throw new PolicyException("selection." + listed, "only allowed when tagStatus is tagged, not "
                            + tagStatus.json());
                }
            }
            for (int i = 0; i < tagPatternList.size(); i++) {
                String pattern = tagPatternList.get(i).pattern();
                String field = "selection.tagPatternList[" + i + "]";
                if (!PATTERN_CHARACTERS.matcher(pattern).matches()) throw new PolicyException(field, PATTERN_PROBLEM);
                if (pattern.chars().filter(c -> c == '*').count() > MAX_WILDCARDS) {
                    throw new PolicyException(field, "at most " + MAX_WILDCARDS + " wildcards (*) per pattern");
                }
            }
            for (int i = 0; i < tagPrefixList.size(); i++) {
                if (!TAG_CHARACTERS.matcher(tagPrefixList.get(i)).matches()) {
                    throw new PolicyException("selection.tagPrefixList[" + i + "]",
                            "must be a non-empty prefix of a tag (A-Z a-z 0-9 _ . -)");
                }
            }
        }

        public boolean selects(ImageCandidate image) {
            return switch (tagStatus) {
                case ANY -> true;
                case UNTAGGED -> !image.isTagged();
                case TAGGED -> image.isTagged() && (tagPatternList.isEmpty()
                        ? tagPrefixList.stream().allMatch(p -> image.tags().stream().anyMatch(t -> t.startsWith(p)))
                        : tagPatternList.stream().allMatch(g -> image.tags().stream().anyMatch(g::matches)));
            };
        }

        /** e.g. {@code ECR rule priority 2: imageCountMoreThan 5 (tagPrefixList ["prod"])}. */
        public String describe() {
            String count = countType.json() + " " + countNumber + (countType == CountType.IMAGE_COUNT_MORE_THAN ? "" : " days");
            String selection = !tagPatternList.isEmpty() ? "tagPatternList " + PolicyJson.quoted(tagPatternList)
                    : !tagPrefixList.isEmpty() ? "tagPrefixList " + PolicyJson.quoted(tagPrefixList)
                    : tagStatus.json();
            return "ECR rule priority " + rulePriority + ": " + count + " (" + selection + ")";
        }

        /** The images this rule would expire among those it selects (newest push first). */
        List<ImageCandidate> expiring(List<ImageCandidate> selected, Instant now) {
            Instant cutoff = now.minus(Duration.ofDays(countNumber));
            return switch (countType) {
                case IMAGE_COUNT_MORE_THAN -> selected.subList(Math.min(countNumber, selected.size()), selected.size());
                case SINCE_IMAGE_PUSHED -> selected.stream().filter(i -> i.pushedAt().isBefore(cutoff)).toList();
                case SINCE_IMAGE_PULLED -> selected.stream().filter(i -> i.lastPulledOrPushed().isBefore(cutoff)).toList();
            };
        }
    }

    /** Checks what spans rules (unique priorities, {@code any} last) and keeps the rules in priority order. */
    public EcrLifecyclePolicy {
        Map<Integer, Integer> indexByPriority = new HashMap<>();
        for (int i = 0; i < rules.size(); i++) {
            Integer earlier = indexByPriority.putIfAbsent(rules.get(i).rulePriority(), i);
            if (earlier != null) {
                throw new PolicyException("rules[" + i + "].rulePriority", rules.get(i).rulePriority()
                        + " is also the rulePriority of rules[" + earlier + "]; priorities must be unique");
            }
        }
        int highest = rules.stream().mapToInt(Rule::rulePriority).max().orElse(0);
        for (int i = 0; i < rules.size(); i++) {
            Rule rule = rules.get(i);
            if (rule.tagStatus() == TagStatus.ANY && rule.rulePriority() != highest) {
                throw new PolicyException("rules[" + i + "].rulePriority", "a rule with tagStatus any must have the"
                        + " highest rulePriority (" + rule.rulePriority() + " is below " + highest + ")");
            }
        }
        rules = rules.stream().sorted(Comparator.comparingInt(Rule::rulePriority)).toList();
    }

    /** Reads a lifecycle policy text exactly as ECR's PutLifecyclePolicy takes it; unknown fields are refused. */
    public static EcrLifecyclePolicy parse(String json) {
        PolicyJson.Obj root = PolicyJson.parse(json);
        root.allowOnly(Set.of("rules"));
        return new EcrLifecyclePolicy(PolicyJson.eachRule(root.array("rules"), EcrLifecyclePolicy::parseRule));
    }

    private static Rule parseRule(PolicyJson.Obj rule) {
        rule.allowOnly(Set.of("rulePriority", "description", "selection", "action"));
        int priority = rule.positiveInteger("rulePriority");
        String description = rule.optionalString("description").orElse("");
        PolicyJson.Obj selection = rule.object("selection");
        selection.allowOnly(Set.of("tagStatus", "tagPatternList", "tagPrefixList", "countType", "countUnit",
                "countNumber", "storageClass"));
        TagStatus status = switch (selection.string("tagStatus")) {
            case "tagged" -> TagStatus.TAGGED;
            case "untagged" -> TagStatus.UNTAGGED;
            case "any" -> TagStatus.ANY;
            default -> throw new PolicyException(selection.path("tagStatus"), "must be one of tagged, untagged, any");
        };
        List<String> patternTexts = nonEmptyList(selection, "tagPatternList");
        for (int i = 0; i < patternTexts.size(); i++) {
            if (!PATTERN_CHARACTERS.matcher(patternTexts.get(i)).matches()) {
                throw new PolicyException(selection.path("tagPatternList") + "[" + i + "]", PATTERN_PROBLEM);
            }
        }
        List<Glob> patterns = patternTexts.stream().map(Glob::wildcard).toList();
        List<String> prefixes = nonEmptyList(selection, "tagPrefixList");
        if (selection.has("storageClass") && !selection.string("storageClass").equals("standard")) {
            throw new PolicyException(selection.path("storageClass"), "must be standard (Stowage has no archive storage class)");
        }
        CountType countType = switch (selection.string("countType")) {
            case "imageCountMoreThan" -> CountType.IMAGE_COUNT_MORE_THAN;
            case "sinceImagePushed" -> CountType.SINCE_IMAGE_PUSHED;
            case "sinceImagePulled" -> CountType.SINCE_IMAGE_PULLED;
            case "sinceImageTransitioned" -> throw new PolicyException(selection.path("countType"),
                    "sinceImageTransitioned is not supported (Stowage has no archive storage class)");
            default -> throw new PolicyException(selection.path("countType"),
                    "must be one of imageCountMoreThan, sinceImagePushed, sinceImagePulled");
        };
        if (countType == CountType.IMAGE_COUNT_MORE_THAN) {
            if (selection.has("countUnit")) {
                throw new PolicyException(selection.path("countUnit"), "not allowed when countType is imageCountMoreThan");
            }
        } else {
            if (!selection.has("countUnit")) {
                throw new PolicyException(selection.path("countUnit"), "required when countType is " + countType.json());
            }
            if (!selection.string("countUnit").equals("days")) {
                throw new PolicyException(selection.path("countUnit"), "must be days");
            }
        }
        int countNumber = selection.positiveInteger("countNumber");
        PolicyJson.Obj action = rule.object("action");
        action.allowOnly(Set.of("type", "targetStorageClass"));
        if (!action.string("type").equals("expire")) {
            throw new PolicyException(action.path("type"), "must be expire (Stowage has no archive storage class to"
                    + " transition to)");
        }
        if (action.has("targetStorageClass")) {
            throw new PolicyException(action.path("targetStorageClass"), "only allowed with the transition action");
        }
        return new Rule(priority, description, status, patterns, prefixes, countType, countNumber);
    }

    private static List<String> nonEmptyList(PolicyJson.Obj selection, String field) {
        if (!selection.has(field)) return List.of();
        List<String> values = selection.strings(field);
        if (values.isEmpty()) throw new PolicyException(selection.path(field), "must not be empty");
        return values;
    }

    @Override
    public RetentionPlan plan(List<ImageCandidate> candidates, Instant now, Predicate<ImageCandidate> protectedImage) {
        return RetentionPlanner.plan(candidates, now, protectedImage, (repository, images, at) -> evaluate(images, at));
    }

    private Map<ImageCandidate, RetentionPlanner.Outcome> evaluate(List<ImageCandidate> images, Instant now) {
        Map<ImageCandidate, Rule> firstSelectedBy = new HashMap<>();
        Map<ImageCandidate, Rule> expiredBy = new HashMap<>();
        for (Rule rule : rules) {
            List<ImageCandidate> selected = images.stream().filter(rule::selects).toList();
            for (ImageCandidate image : rule.expiring(selected, now)) {
                if (!firstSelectedBy.containsKey(image)) expiredBy.put(image, rule);
            }
            for (ImageCandidate image : selected) firstSelectedBy.putIfAbsent(image, rule);
        }
        return images.stream().collect(Collectors.toMap(image -> image, image -> {
            Rule expiring = expiredBy.get(image);
            if (expiring != null) return new RetentionPlanner.Outcome(true, expiring.describe());
            Rule selecting = firstSelectedBy.get(image);
            return new RetentionPlanner.Outcome(false, selecting == null ? "ECR: selected by no rule" : selecting.describe());
        }));
    }
}
