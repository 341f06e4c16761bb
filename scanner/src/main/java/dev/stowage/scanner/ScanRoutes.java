package dev.stowage.scanner;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stowage.core.Digest;
import dev.stowage.core.ErrorCode;
import dev.stowage.core.RegistryException;
import dev.stowage.core.RepositoryName;
import dev.stowage.core.access.Action;
import dev.stowage.core.service.RegistryService;
import dev.stowage.core.spi.BlobContent;
import dev.stowage.core.spi.ManifestRecord;
import dev.stowage.core.spi.MetadataStore;
import dev.stowage.scanning.sbom.SbomFormat;
import dev.stowage.scanning.vuln.Severity;
import dev.stowage.server.Access;
import dev.stowage.server.AdminCall;
import dev.stowage.server.AdminRouteSet;
import dev.stowage.server.AdminRoutes;
import dev.stowage.server.ApiDoc;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The scanner's admin routes: reports, SBOMs, scan requests, project policies, allowlists, the data's status. */
public final class ScanRoutes implements AdminRouteSet {
    private static final String ARTIFACT = "/api/v1/repositories/{repository:.+}/artifacts/{reference}";
    private static final Instant EARLIEST_EXPIRY = Instant.parse("1970-01-01T00:00:00Z");
    private static final Instant LATEST_EXPIRY = Instant.parse("9999-12-31T23:59:59Z");
    /** The SBOM documents a download serves whole; generated ones are far smaller. */
    private static final long MAX_SBOM_BYTES = 64L * 1024 * 1024;

    private final ScanService scans;
    private final ScanStore store;
    private final ScanPullPolicy pullPolicy;
    private final VulnerabilityDatabase database;
    private final MetadataStore metadata;
    private final RegistryService registry;
    private final Clock clock;
    /** Refuses (404) a project that does not exist: settings of a project to be created later are not taken. */
    private final java.util.function.Consumer<String> requireProject;

    public ScanRoutes(ScanService scans, ScanPullPolicy pullPolicy, VulnerabilityDatabase database, MetadataStore metadata,
               RegistryService registry, java.util.function.Consumer<String> requireProject, Clock clock) {
        this.requireProject = requireProject;
        this.scans = scans;
        this.store = scans.store();
        this.pullPolicy = pullPolicy;
        this.database = database;
        this.metadata = metadata;
        this.registry = registry;
        this.clock = clock;
    }

    @Override
    public void declare(AdminRoutes routes) {
        routes.schema("ScanPolicy", """
                {"type": "object", "additionalProperties": false, "properties": {
                  "scanOnPush": {"type": "boolean", "default": true},
                  "preventSeverity": {"type": ["string", "null"], "enum": ["UNKNOWN", "LOW", "MEDIUM", "HIGH", "CRITICAL", null]},
                  "preventUnscanned": {"type": "boolean", "default": false}}}""");
        routes.schema("CveAllowlist", """
                {"type": "object", "additionalProperties": false, "required": ["items"], "properties": {
                  "items": {"type": "array", "maxItems": 10000, "items": {"type": "object", "required": ["id"],
                    "properties": {"id": {"type": "string"}, "expiresAt": {"type": ["string", "null"], "format": "date-time"},
                                   "comment": {"type": "string", "maxLength": 1024}}}}}}""");
        routes.path(ARTIFACT + "/vulnerabilities", Access.repository(Action.READ_PROJECT, "repository"))
                .get(ApiDoc.op("getVulnerabilityReport", "The artifact's latest vulnerability report (by tag or digest): "
                                + "status, counts by severity, findings worst first (id, aliases, package, installed and "
                                + "fixed version, severity, score, layer and path) and, for an index, one entry per "
                                + "platform. Members of the project.").tag("scanning")
                        .response(200, "the report").response(404, "no such artifact, or never scanned"), this::report);
        routes.path(ARTIFACT + "/scan", Access.repository(Action.SCAN_ARTIFACT, "repository"))
                .post(ApiDoc.op("scanArtifact", "Queues a scan of the artifact (by tag or digest); answers 202 with its "
                                + "status. Members whose role pushes (developers and up).").tag("scanning")
                        .response(202, "queued").response(404, "no such artifact"), this::scan);
        routes.path(ARTIFACT + "/sbom", Access.repository(Action.READ_PROJECT, "repository"))
                .get(ApiDoc.op("getSbom", "The image's SBOM that Stowage attached as a referrer: ?format=cyclonedx "
                                + "(CycloneDX 1.6 JSON, the default) or spdx (SPDX 2.3 JSON).").tag("scanning")
                        .query("format", "string", "cyclonedx or spdx")
                        .response(200, "the document").response(404, "no such artifact or no SBOM yet"), this::sbom);
        routes.path("/api/v1/projects/{project}/scanning", Access.project(Action.MANAGE_PROJECT, "project"))
                .before(call -> requireProject.accept(call.variable("project")))
                .get(Access.project(Action.READ_PROJECT, "project"), ApiDoc.op("getProjectScanPolicy",
                                "The project's scanning policy: scanOnPush, preventSeverity (UNKNOWN: any vulnerability, "
                                        + "rated or not; LOW, MEDIUM, HIGH, CRITICAL; or null), preventUnscanned. Members of the project.").tag("scanning")
                        .response(200, "the policy"), this::policy)
                .put(ApiDoc.op("putProjectScanPolicy", "Replaces the project's scanning policy; fields left out keep "
                                + "their defaults (scan on push, nothing blocked). Project administrators.").tag("scanning")
                        .body("ScanPolicy").response(200, "the policy as stored"), this::putPolicy);
        routes.path("/api/v1/projects/{project}/cve-allowlist", Access.project(Action.MANAGE_PROJECT, "project"))
                .before(call -> requireProject.accept(call.variable("project")))
                .get(Access.project(Action.READ_PROJECT, "project"), ApiDoc.op("getProjectCveAllowlist",
                                "Vulnerabilities the project's pull policy accepts, each until its expiry.")
                        .tag("scanning").response(200, "the allowlist"), call -> allowlist(call, call.variable("project")))
                .put(ApiDoc.op("putProjectCveAllowlist", "Replaces the project's allowlist: {items:[{id, expiresAt, "
                                + "comment}]}.").tag("scanning").body("CveAllowlist").response(200, "the allowlist"),
                        call -> putAllowlist(call, call.variable("project")));
        routes.path("/api/v1/system/cve-allowlist", Access.system())
                .get(ApiDoc.op("getSystemCveAllowlist", "Vulnerabilities every project's pull policy accepts.")
                        .tag("scanning").response(200, "the allowlist"), call -> allowlist(call, ""))
                .put(ApiDoc.op("putSystemCveAllowlist", "Replaces the system-wide allowlist.").tag("scanning")
                        .body("CveAllowlist").response(200, "the allowlist"), call -> putAllowlist(call, ""));
        routes.path("/api/v1/vulnerability-database", Access.system())
                .get(ApiDoc.op("getVulnerabilityDatabase", "What vulnerability data is loaded: generation, records, "
                                + "sources with their origin, import time and data time (newest record), and whether the "
                                + "oldest is older than scanning.staleAfter (stale).").tag("scanning")
                        .response(200, "the status"), this::databaseStatus);
    }

    private void report(AdminCall call) {
        ManifestRecord manifest = call.artifact(metadata);
        Optional<ScanStore.StoredReport> stored = store.report(manifest.digest());
        if (stored.isEmpty()) {
            throw new RegistryException(ErrorCode.NOT_FOUND, "artifact " + manifest.digest() + " has not been scanned; "
                    + "queue a scan with POST " + call.path().replace("/vulnerabilities", "/scan"),
                    Map.of("digest", manifest.digest().toString()));
        }
        ScanStore.StoredReport r = stored.get();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("digest", manifest.digest().toString());
        answer.put("status", r.status().name());
        answer.put("scanner", r.scanner());
        answer.put("updatedAt", r.updatedAt().toString());
        answer.put("counts", ScanService.countsMap(r.counts()));
        if (!r.error().isEmpty()) answer.put("error", r.error());
        r.report().ifPresent(bytes -> {
            JsonNode body = InventoryJson.gunzip(bytes);
            body.fields().forEachRemaining(f -> {
                if (!answer.containsKey(f.getKey()) || f.getKey().equals("counts")) answer.put(f.getKey(), f.getValue());
            });
        });
        call.sendJson(200, answer);
    }

    private void scan(AdminCall call) {
        ManifestRecord manifest = call.artifact(metadata);
        if (!ScanService.scannable(manifest.mediaType())) {
            throw AdminCall.badInput("artifact " + manifest.digest() + " (" + manifest.mediaType()
                    + ") is not an image or index");
        }
        boolean queued = scans.queue(call.repository("repository"), manifest.digest(), "request");
        call.sendJson(202, Map.of("digest", manifest.digest().toString(), "status", "QUEUED",
                "alreadyQueued", !queued));
    }

    private void sbom(AdminCall call) {
        ManifestRecord manifest = call.artifact(metadata);
        SbomFormat format = switch (call.query("format").orElse("cyclonedx").toLowerCase(Locale.ROOT)) {
            case "cyclonedx" -> SbomFormat.CYCLONEDX_JSON;
            case "spdx" -> SbomFormat.SPDX_JSON;
            default -> throw AdminCall.badInput("format must be cyclonedx or spdx");
        };
        RepositoryName repository = call.repository("repository");
        var referrer = ReferrerSbomAttacher.attached(registry, repository, manifest.digest(), format)
                .orElseThrow(() -> new RegistryException(ErrorCode.NOT_FOUND, "artifact " + manifest.digest()
                        + " has no " + format.mediaType() + " SBOM yet (it is attached when the image is scanned)",
                        Map.of("digest", manifest.digest().toString())));
        ManifestRecord sbomManifest = metadata.findManifest(repository, referrer.digest()).orElseThrow();
        JsonNode layers;
        try {
            layers = InventoryJson.MAPPER.readTree(sbomManifest.payload()).path("layers");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Digest document = Digest.parse(layers.path(0).path("digest").asText());
        BlobContent content = registry.openBlob(repository, document);
        if (content.size() > MAX_SBOM_BYTES) throw AdminCall.badInput("the SBOM is too large to serve here; pull it "
                + "as the referrer " + referrer.digest());
        try (InputStream in = content.openStream(0, content.size())) {
            call.sendBytes(200, format.mediaType(), in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, Object> policyJson(ProjectScanPolicy p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scanOnPush", p.scanOnPush());
        m.put("preventSeverity", p.preventSeverity().map(Enum::name).orElse(null));
        m.put("preventUnscanned", p.preventUnscanned());
        return m;
    }

    private void policy(AdminCall call) {
        call.sendJson(200, policyJson(store.policy(call.variable("project")).orElse(ProjectScanPolicy.DEFAULT)));
    }

    private void putPolicy(AdminCall call) {
        JsonNode body = call.json("scanOnPush", "preventSeverity", "preventUnscanned");
        ProjectScanPolicy policy = new ProjectScanPolicy(bool(body, "scanOnPush", true), severity(body),
                bool(body, "preventUnscanned", false));
        store.putPolicy(call.variable("project"), policy, clock.instant());
        pullPolicy.reload();
        call.sendJson(200, policyJson(policy));
    }

    private static boolean bool(JsonNode body, String field, boolean absent) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) return absent;
        if (!v.isBoolean()) throw AdminCall.badInput(field + " must be true or false");
        return v.booleanValue();
    }

    private static Optional<Severity> severity(JsonNode body) {
        JsonNode v = body.get("preventSeverity");
        if (v == null || v.isNull()) return Optional.empty();
        String text = v.isTextual() ? v.textValue().toUpperCase(Locale.ROOT) : "";
        return switch (text) {
            case "UNKNOWN", "LOW", "MEDIUM", "HIGH", "CRITICAL" -> Optional.of(Severity.valueOf(text));
            default -> throw AdminCall.badInput("preventSeverity must be UNKNOWN (any vulnerability, rated or not), LOW, "
                    + "MEDIUM, HIGH, CRITICAL or null");
        };
    }

    private void allowlist(AdminCall call, String scope) {
        List<Map<String, Object>> items = new ArrayList<>();
        Instant now = clock.instant();
        for (AllowlistEntry e : store.allowlist(scope)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", e.vulnerability());
            m.put("expiresAt", e.expiresAt().map(Instant::toString).orElse(null));
            m.put("comment", e.comment());
            m.put("active", e.activeAt(now));
            items.add(m);
        }
        call.sendJson(200, Map.of("items", items));
    }

    private void putAllowlist(AdminCall call, String scope) {
        JsonNode body = call.json("items");
        JsonNode items = body.get("items");
        if (items == null || !items.isArray()) throw AdminCall.badInput("items must be a list of {id, expiresAt, comment}");
        if (items.size() > 10_000) throw AdminCall.badInput("at most 10000 allowlist entries");
        List<AllowlistEntry> entries = new ArrayList<>();
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (JsonNode item : items) {
            if (!item.isObject()) throw AdminCall.badInput("items[] must be objects {id, expiresAt, comment}");
            item.fieldNames().forEachRemaining(field -> {
                if (!List.of("id", "expiresAt", "comment").contains(field)) {
                    throw AdminCall.badInput("items[]." + field + " is not a field of an allowlist entry (id, expiresAt, comment)");
                }
            });
            String id = item.path("id").isTextual() ? item.path("id").textValue() : "";
            if (!id.matches("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")) {
                throw AdminCall.badInput("items[].id must be a vulnerability id such as CVE-2021-44228 or GHSA-xxxx-xxxx-xxxx");
            }
            if (!ids.add(id.toLowerCase(Locale.ROOT))) throw AdminCall.badInput("items[].id " + id + " is listed twice");
            Optional<Instant> expires = Optional.empty();
            JsonNode e = item.get("expiresAt");
            if (e != null && !e.isNull()) {
                Instant at;
                try {
                    at = Instant.parse(e.asText());
                } catch (DateTimeParseException ex) {
                    throw AdminCall.badInput("items[].expiresAt must be an RFC 3339 time such as 2027-01-31T00:00:00Z or null");
                }
                if (at.isBefore(EARLIEST_EXPIRY) || at.isAfter(LATEST_EXPIRY)) {
                    throw AdminCall.badInput("items[].expiresAt must be between 1970 and 9999, or null for no expiry");
                }
                expires = Optional.of(at);
            }
            String comment = item.path("comment").asText("");
            if (comment.length() > 1024) throw AdminCall.badInput("items[].comment is limited to 1024 characters");
            entries.add(new AllowlistEntry(id, expires, comment));
        }
        store.replaceAllowlist(scope, entries);
        pullPolicy.reload();
        allowlist(call, scope);
    }

    private void databaseStatus(AdminCall call) {
        VulnerabilityDatabase.Status s = database.status();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("generation", s.generation());
        answer.put("records", s.records());
        answer.put("dataTime", s.dataTime().map(Instant::toString).orElse(null));
        answer.put("stale", s.stale());
        answer.put("staleAfter", s.staleAfter().toString());
        List<Map<String, Object>> sources = new ArrayList<>();
        for (ScanStore.SourceStatus src : s.sources()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("source", src.source());
            m.put("origin", src.origin());
            m.put("importedAt", src.importedAt().toString());
            m.put("dataTime", VulnerabilityDatabase.dataTime(src).toString());
            m.put("records", src.records());
            sources.add(m);
        }
        answer.put("sources", sources);
        answer.put("queuedScans", store.queued());
        call.sendJson(200, answer);
    }
}
