package dev.stowage.core.policy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of one evaluation of every check: allowed when no check refused; {@code warnings} are what checks of
 * projects that only audit would have refused.
 */
public record ImageVerdict(List<String> checked, List<ImageRefusal> refusals, List<ImageRefusal> warnings) {
    public ImageVerdict {
        checked = List.copyOf(checked);
        refusals = List.copyOf(refusals);
        warnings = List.copyOf(warnings);
    }

    public ImageVerdict(List<String> checked, List<ImageRefusal> refusals) {
        this(checked, refusals, List.of());
    }

    public boolean allowed() {
        return refusals.isEmpty();
    }

    /** Every refusal's sentence, in the order the checks ran. */
    public String message() {
        return String.join("; ", refusals.stream().map(ImageRefusal::message).toList());
    }

    /** The JSON detail of a refusal: {@code {"refusals": [{"check": ..., "message": ..., <detail>...}]}}. */
    public Map<String, Object> detail() {
        List<Map<String, Object>> each = new ArrayList<>();
        for (ImageRefusal refusal : refusals) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("check", refusal.check());
            one.put("message", refusal.message());
            one.putAll(new java.util.TreeMap<>(refusal.detail()));
            each.add(one);
        }
        return Map.of("refusals", each);
    }

    /** For the audit log: which checks refused, in a few words ({@code refused by signatures, vulnerabilities}). */
    public String summary() {
        if (allowed()) return checked.isEmpty() ? "" : "policy passed: " + String.join(", ", checked);
        return "refused by " + String.join(", ", refusals.stream().map(ImageRefusal::check).toList());
    }
}
