package dev.stowage.scanner;

import dev.stowage.scanning.vuln.Severity;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Decides whether a project's policy lets an image be pulled, from the image's last report: refused when a finding at or
 * above the policy's severity is not allowlisted, or (when the project asks) while there is no completed scan.
 */
final class PullRule {
    private PullRule() {
    }

    /** Refused, with the sentence a client shows and the figures behind it. */
    record Refusal(String message, Map<String, Object> detail) {}

    /** What is known of an image: the status of its scan and, once completed, its findings. */
    record ImageFacts(ScanStore.Status status, List<ReportJson.FindingFacts> findings, long unreadableLayers) {}

    static Optional<Refusal> decide(String project, ProjectScanPolicy policy, Optional<ImageFacts> image,
                                    Predicate<String> allowlisted, String reportPath) {
        boolean completed = image.isPresent() && image.get().status() == ScanStore.Status.COMPLETED;
        if (!completed) {
            if (!policy.preventUnscanned()) return Optional.empty();
            String state = image.map(i -> i.status().name().toLowerCase()).orElse("not scanned");
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("policy", "preventUnscanned");
            detail.put("scanStatus", state);
            detail.put("report", reportPath);
            return Optional.of(new Refusal("pull refused by the policy of project '" + project
                    + "': the image has no completed vulnerability scan (" + state + "); scan it with POST "
                    + reportPath.replace("/vulnerabilities", "/scan") + " and see the result at GET " + reportPath, detail));
        }
        long unreadable = image.get().unreadableLayers();
        if (unreadable > 0) {
            // what could not be read cannot be vouched for: no policy may count it as clean
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("policy", policy.preventSeverity().isPresent() ? "preventSeverity" : "preventUnscanned");
            detail.put("unreadableLayers", unreadable);
            detail.put("report", reportPath);
            return Optional.of(new Refusal("pull refused by the policy of project '" + project + "': " + unreadable
                    + " layer(s) of the image could not be scanned (see skipped in GET " + reportPath + ")", detail));
        }
        if (policy.preventSeverity().isEmpty()) return Optional.empty();
        Severity threshold = policy.preventSeverity().get();
        Map<Severity, Integer> counts = new EnumMap<>(Severity.class);
        for (ReportJson.FindingFacts f : image.get().findings()) {
            if (f.severity().compareTo(threshold) < 0) continue;
            if (f.ids().stream().anyMatch(allowlisted)) continue;
            counts.merge(f.severity(), 1, Integer::sum);
        }
        if (counts.isEmpty()) return Optional.empty();
        StringBuilder figures = new StringBuilder();
        Map<String, Object> byName = new LinkedHashMap<>();
        for (Severity s : List.of(Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.UNKNOWN)) {
            Integer n = counts.get(s);
            if (n == null) continue;
            if (figures.length() > 0) figures.append(", ");
            figures.append(n).append(' ').append(s.name().toLowerCase());
            byName.put(s.name().toLowerCase(), n);
        }
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("policy", "preventSeverity");
        detail.put("severity", threshold.name());
        detail.put("vulnerabilities", byName);
        detail.put("report", reportPath);
        String bar = threshold == Severity.UNKNOWN ? "(any severity, rated or not)" : "at or above " + threshold;
        return Optional.of(new Refusal("pull refused by the policy of project '" + project + "': the image has "
                + figures + " vulnerabilities " + bar + " that are not allowlisted; see GET " + reportPath, detail));
    }

}
