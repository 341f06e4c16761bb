package dev.stowage.scanning.vuln;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One OSV advisory (https://ossf.github.io/osv-schema/, versions 1.0 to 1.7), reduced to what matching and reporting
 * need. Parsing is tolerant: unknown fields are ignored, missing optional fields are empty, affected entries without a
 * package (GIT-only) are kept with no package and never match. It is strict only where a wrong shape would make
 * matching wrong (a range whose events are not objects, an id that is not a string): such a record is
 * {@link Parsed.Rejected rejected with a reason}, never thrown, so one bad record cannot stop an import.
 *
 * @param databaseSeverity GHSA's own rating in {@code database_specific.severity} ({@code LOW}, {@code MODERATE},
 *                         {@code HIGH}, {@code CRITICAL}), upper-cased
 */
public record OsvRecord(String id, List<String> aliases, List<String> related, String summary, String details,
                        Optional<Instant> published, Optional<Instant> modified, Optional<Instant> withdrawn,
                        List<Affected> affected, List<SeverityVector> severity, Optional<String> databaseSeverity) {

    public OsvRecord {
        aliases = List.copyOf(aliases);
        related = List.copyOf(related);
        affected = List.copyOf(affected);
        severity = List.copyOf(severity);
    }

    /**
     * One {@code affected[]} entry.
     *
     * @param pkg           the package; empty for an entry that names only a repository
     * @param informational RustSec's {@code database_specific.informational} ({@code unmaintained}, {@code unsound},
     *                      {@code notice}): such an advisory is not a vulnerability
     * @param severity      the entry's own {@code severity[]} (schema 1.4+), used when the record has none
     */
    public record Affected(Optional<Package> pkg, List<Range> ranges, List<String> versions,
                           Optional<String> informational, List<SeverityVector> severity) {
        public Affected {
            ranges = List.copyOf(ranges);
            versions = List.copyOf(versions);
            severity = List.copyOf(severity);
        }
    }

    public record Package(String ecosystem, String name, Optional<String> purl) {
    }

    /** {@code GIT} ranges (commit hashes) and types a later schema may add never match an installed version. */
    public enum RangeType { SEMVER, ECOSYSTEM, GIT, OTHER }

    public record Range(RangeType type, List<Event> events) {
        public Range {
            events = List.copyOf(events);
        }
    }

    public enum EventKind { INTRODUCED, FIXED, LAST_AFFECTED, LIMIT }

    public record Event(EventKind kind, String version) {
    }

    /** @param type {@code CVSS_V2}, {@code CVSS_V3}, {@code CVSS_V4} or another the schema names; score is the vector */
    public record SeverityVector(String type, String score) {
    }

    /** The outcome of parsing one document. */
    public sealed interface Parsed {
        record Valid(OsvRecord record) implements Parsed {
        }

        record Rejected(String reason) implements Parsed {
        }
    }

    /** How bad a record is, with its CVSS score and vector when one was computed. */
    public record Rating(Severity severity, OptionalDouble score, Optional<String> vector) {
    }

    private static final int MAX_NESTING_DEPTH = 64;
    private static final int MAX_STRING_LENGTH = 4 * 1024 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_NESTING_DEPTH).maxStringLength(MAX_STRING_LENGTH).build())
            .build());

    public boolean isWithdrawn() {
        return withdrawn.isPresent();
    }

    /**
     * The severity: from the vector of the highest CVSS version whose score can be computed (v4, then v3.x, then v2;
     * the record's own {@code severity[]} first, then its affected entries'), else the database's own rating (GHSA's
     * {@code database_specific.severity}, MODERATE as MEDIUM; Ubuntu's priority), else UNKNOWN.
     */
    public Rating rating() {
        List<SeverityVector> vectors = new ArrayList<>(severity);
        for (Affected a : affected) vectors.addAll(a.severity());
        for (String type : List.of("CVSS_V4", "CVSS_V3", "CVSS_V2")) {
            for (SeverityVector v : vectors) {
                if (!v.type().equals(type)) continue;
                OptionalDouble score = Cvss.baseScore(v.score());
                if (score.isPresent()) {
                    return new Rating(Severity.ofScore(score.getAsDouble()), score, Optional.of(v.score()));
                }
            }
        }
        Severity own = databaseSeverity.map(OsvRecord::ownRating).orElse(Severity.UNKNOWN);
        for (SeverityVector v : vectors) {
            // schema 1.6's "Ubuntu" severity: Ubuntu's priority as a word
            if (own == Severity.UNKNOWN && v.type().equals("Ubuntu")) own = ownRating(v.score().toUpperCase(Locale.ROOT));
        }
        return new Rating(own, OptionalDouble.empty(), Optional.empty());
    }

    private static Severity ownRating(String label) {
        return switch (label) {
            case "LOW", "NEGLIGIBLE" -> Severity.LOW;
            case "MODERATE", "MEDIUM" -> Severity.MEDIUM;
            case "HIGH" -> Severity.HIGH;
            case "CRITICAL" -> Severity.CRITICAL;
            default -> Severity.UNKNOWN;
        };
    }

    /** Parses one OSV JSON document. Never throws for any input. */
    public static Parsed parse(byte[] json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            return new Parsed.Rejected("not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            return new Parsed.Rejected("not readable: " + e.getMessage());
        }
        if (root == null || root.isMissingNode()) return new Parsed.Rejected("empty document");
        try {
            return new Parsed.Valid(fromTree(root));
        } catch (Reject r) {
            return new Parsed.Rejected(r.getMessage());
        } catch (RuntimeException e) {
            return new Parsed.Rejected("unreadable record: " + e);
        }
    }

    private static OsvRecord fromTree(JsonNode root) {
        if (!root.isObject()) throw new Reject("the document is not a JSON object");
        String id = requiredText(root, "id");
        if (id.isBlank()) throw new Reject("id is empty");
        List<Affected> affected = new ArrayList<>();
        int index = 0;
        for (JsonNode a : array(root, "affected")) {
            affected.add(affected(a, "affected[" + index++ + "]"));
        }
        Optional<String> dbSeverity = Optional.empty();
        JsonNode dbSpecific = root.get("database_specific");
        if (dbSpecific != null && dbSpecific.isObject() && dbSpecific.path("severity").isTextual()) {
            dbSeverity = Optional.of(dbSpecific.get("severity").asText().trim().toUpperCase(Locale.ROOT));
        }
        return new OsvRecord(id, texts(root, "aliases"), texts(root, "related"),
                optionalText(root, "summary").orElse(""), optionalText(root, "details").orElse(""),
                time(root, "published"), time(root, "modified"), time(root, "withdrawn"),
                affected, severities(root, "severity"), dbSeverity);
    }

    private static Affected affected(JsonNode a, String where) {
        if (!a.isObject()) throw new Reject(where + " is not an object");
        Optional<Package> pkg = Optional.empty();
        JsonNode p = a.get("package");
        if (p != null && !p.isNull()) {
            if (!p.isObject()) throw new Reject(where + ".package is not an object");
            String ecosystem = optionalText(p, "ecosystem").orElse("");
            String name = optionalText(p, "name").orElse("");
            if (!ecosystem.isEmpty() && !name.isEmpty()) {
                pkg = Optional.of(new Package(ecosystem, name, optionalText(p, "purl")));
            }
        }
        List<Range> ranges = new ArrayList<>();
        int r = 0;
        for (JsonNode range : array(a, "ranges")) {
            ranges.add(range(range, where + ".ranges[" + r++ + "]"));
        }
        Optional<String> informational = Optional.empty();
        JsonNode db = a.get("database_specific");
        if (db != null && db.isObject() && db.path("informational").isTextual()) {
            informational = Optional.of(db.get("informational").asText());
        }
        return new Affected(pkg, ranges, texts(a, "versions"), informational, severities(a, "severity"));
    }

    private static Range range(JsonNode range, String where) {
        if (!range.isObject()) throw new Reject(where + " is not an object");
        RangeType type = switch (optionalText(range, "type").orElse("")) {
            case "SEMVER" -> RangeType.SEMVER;
            case "ECOSYSTEM" -> RangeType.ECOSYSTEM;
            case "GIT" -> RangeType.GIT;
            default -> RangeType.OTHER;
        };
        List<Event> events = new ArrayList<>();
        int e = 0;
        for (JsonNode event : array(range, "events")) {
            String at = where + ".events[" + e++ + "]";
            if (!event.isObject()) throw new Reject(at + " is not an object");
            int before = events.size();
            addEvent(events, event, "introduced", EventKind.INTRODUCED, at);
            addEvent(events, event, "fixed", EventKind.FIXED, at);
            addEvent(events, event, "last_affected", EventKind.LAST_AFFECTED, at);
            addEvent(events, event, "limit", EventKind.LIMIT, at);
            if (events.size() - before > 1) throw new Reject(at + " names more than one event");
        }
        return new Range(type, events);
    }

    private static void addEvent(List<Event> events, JsonNode event, String field, EventKind kind, String where) {
        JsonNode v = event.get(field);
        if (v == null || v.isNull()) return;
        if (!v.isTextual() || v.asText().isBlank()) throw new Reject(where + "." + field + " is not a version string");
        events.add(new Event(kind, v.asText().trim()));
    }

    private static List<SeverityVector> severities(JsonNode node, String field) {
        List<SeverityVector> out = new ArrayList<>();
        for (JsonNode s : array(node, field)) {
            if (!s.isObject()) throw new Reject(field + "[] entry is not an object");
            Optional<String> type = optionalText(s, "type");
            Optional<String> score = optionalText(s, "score");
            if (type.isPresent() && score.isPresent()) out.add(new SeverityVector(type.get(), score.get().trim()));
        }
        return out;
    }

    private static Iterable<JsonNode> array(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) return List.of();
        if (!v.isArray()) throw new Reject(field + " is not an array");
        return v;
    }

    private static List<String> texts(JsonNode node, String field) {
        List<String> out = new ArrayList<>();
        for (JsonNode v : array(node, field)) {
            if (!v.isTextual()) throw new Reject(field + " holds a value that is not a string");
            out.add(v.asText());
        }
        return out;
    }

    private static String requiredText(JsonNode node, String field) {
        return optionalText(node, field).orElseThrow(() -> new Reject(field + " is missing"));
    }

    private static Optional<String> optionalText(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) return Optional.empty();
        if (!v.isTextual()) throw new Reject(field + " is not a string");
        return Optional.of(v.asText());
    }

    private static Optional<Instant> time(JsonNode node, String field) {
        Optional<String> text = optionalText(node, field);
        if (text.isEmpty()) return Optional.empty();
        try {
            // RFC 3339 allows a lower-case t and z, and offsets other than Z
            return Optional.of(OffsetDateTime.parse(text.get().trim().toUpperCase(Locale.ROOT)).toInstant());
        } catch (DateTimeParseException e) {
            throw new Reject(field + " is not an RFC 3339 time: " + abbreviate(text.get()));
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 64 ? text : text.substring(0, 64) + "...";
    }

    /** A reason to reject the record; carries no stack trace, it is an expected outcome. */
    private static final class Reject extends RuntimeException {
        Reject(String reason) {
            super(reason, null, false, false);
        }
    }
}
