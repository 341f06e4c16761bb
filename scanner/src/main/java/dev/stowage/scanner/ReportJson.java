package dev.stowage.scanner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stowage.scanning.inventory.Inventory;
import dev.stowage.scanning.vuln.Finding;
import dev.stowage.scanning.vuln.Severity;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A scan report as stored and as the API answers it, and the few facts of it the pull check needs. */
final class ReportJson {
    private ReportJson() {
    }

    /** What the pull check needs of one finding: every id it goes by, and its severity. */
    record FindingFacts(Set<String> ids, Severity severity) {}

    /** Findings worst first, then by id and package, so reports read the same every time. */
    static final Comparator<Finding> ORDER = Comparator.comparing(Finding::severity).reversed()
            .thenComparing(Finding::id).thenComparing(f -> f.pkg().name()).thenComparing(f -> f.pkg().version());

    static ObjectNode findingNode(Finding f) {
        ObjectNode n = InventoryJson.MAPPER.createObjectNode();
        n.put("id", f.id());
        ArrayNode aliases = n.putArray("aliases");
        f.aliases().forEach(aliases::add);
        n.put("summary", f.summary());
        n.put("severity", f.severity().name());
        f.score().ifPresent(s -> n.put("score", s));
        f.vector().ifPresent(v -> n.put("vector", v));
        n.set("package", InventoryJson.packageNode(f.pkg()));
        n.put("installedVersion", f.pkg().version());
        f.fixedVersion().ifPresent(v -> n.put("fixedVersion", v));
        return n;
    }

    /** The report of one image: its findings (worst first) with counts, its OS and what could not be read. */
    static ObjectNode imageReport(Inventory inventory, List<Finding> findings, long generation) {
        ObjectNode root = InventoryJson.MAPPER.createObjectNode();
        root.put("scanner", "stowage");
        root.put("generation", generation);
        inventory.operatingSystem().ifPresent(os -> root.set("operatingSystem", InventoryJson.osNode(os)));
        root.put("packages", inventory.packages().size());
        List<Finding> sorted = new ArrayList<>(findings);
        sorted.sort(ORDER);
        root.set("counts", counts(sorted.stream().map(Finding::severity).toList()));
        ArrayNode list = root.putArray("findings");
        sorted.forEach(f -> list.add(findingNode(f)));
        ArrayNode skipped = root.putArray("skipped");
        inventory.skipped().forEach(s -> skipped.addObject().put("layer", s.layer()).put("path", s.path())
                .put("reason", s.reason()));
        root.put("unreadableLayers", inventory.skipped().stream()
                .filter(s -> s.path().equals(dev.stowage.scanning.inventory.ImageInventory.WHOLE_LAYER)).count());
        return root;
    }

    static ObjectNode counts(List<Severity> severities) {
        Map<Severity, Integer> n = new EnumMap<>(Severity.class);
        severities.forEach(s -> n.merge(s, 1, Integer::sum));
        ObjectNode counts = InventoryJson.MAPPER.createObjectNode();
        counts.put("critical", n.getOrDefault(Severity.CRITICAL, 0));
        counts.put("high", n.getOrDefault(Severity.HIGH, 0));
        counts.put("medium", n.getOrDefault(Severity.MEDIUM, 0));
        counts.put("low", n.getOrDefault(Severity.LOW, 0));
        counts.put("unknown", n.getOrDefault(Severity.UNKNOWN, 0) + n.getOrDefault(Severity.NONE, 0));
        return counts;
    }

    static ScanStore.SeverityCounts countsOf(JsonNode report) {
        JsonNode c = report.path("counts");
        return new ScanStore.SeverityCounts(c.path("critical").asInt(), c.path("high").asInt(), c.path("medium").asInt(),
                c.path("low").asInt(), c.path("unknown").asInt());
    }

    /**
     * The report of an index: one entry per platform with its own counts and status, and the findings of all platforms
     * once each (a finding of several platforms lists them all).
     */
    static ObjectNode indexReport(List<PlatformReport> platforms, long generation) {
        ObjectNode root = InventoryJson.MAPPER.createObjectNode();
        root.put("scanner", "stowage");
        root.put("generation", generation);
        ArrayNode list = root.putArray("platforms");
        Map<String, ObjectNode> merged = new LinkedHashMap<>();
        Map<String, Set<String>> platformsOf = new LinkedHashMap<>();
        for (PlatformReport p : platforms) {
            ObjectNode entry = list.addObject();
            entry.put("platform", p.platform());
            entry.put("manifest", p.manifest());
            entry.put("status", p.status());
            if (p.report() != null) {
                entry.set("counts", p.report().path("counts"));
                for (JsonNode f : p.report().path("findings")) {
                    String key = f.path("id").asText() + "\u0000" + f.path("package").path("name").asText() + "\u0000"
                            + f.path("installedVersion").asText();
                    merged.putIfAbsent(key, (ObjectNode) f.deepCopy());
                    platformsOf.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(p.platform());
                }
            } else if (!p.error().isEmpty()) {
                entry.put("error", p.error());
            }
        }
        List<Severity> severities = new ArrayList<>();
        ArrayNode findings = InventoryJson.MAPPER.createArrayNode();
        merged.forEach((key, f) -> {
            ArrayNode on = f.putArray("platforms");
            platformsOf.get(key).forEach(on::add);
            severities.add(Severity.valueOf(f.path("severity").asText("UNKNOWN")));
            findings.add(f);
        });
        root.set("counts", counts(severities));
        root.set("findings", findings);
        root.put("unreadableLayers", platforms.stream().filter(p -> p.report() != null)
                .mapToLong(p -> p.report().path("unreadableLayers").asLong()).sum());
        return root;
    }

    record PlatformReport(String platform, String manifest, String status, JsonNode report, String error) {}

    /** How many layers of the image (of all its platforms, for an index) could not be read at all. */
    static long unreadableLayers(JsonNode report) {
        return report.path("unreadableLayers").asLong();
    }

    static List<FindingFacts> facts(JsonNode report) {
        List<FindingFacts> out = new ArrayList<>();
        for (JsonNode f : report.path("findings")) {
            Set<String> ids = new LinkedHashSet<>();
            ids.add(f.path("id").asText());
            f.path("aliases").forEach(a -> ids.add(a.asText()));
            out.add(new FindingFacts(ids, Severity.valueOf(f.path("severity").asText("UNKNOWN"))));
        }
        return out;
    }
}
