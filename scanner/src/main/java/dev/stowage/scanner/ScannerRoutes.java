package dev.stowage.scanner;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stowage.core.ErrorCode;
import dev.stowage.core.RegistryException;
import dev.stowage.core.access.Action;
import dev.stowage.scanning.external.AdapterAuthentication;
import dev.stowage.scanning.external.AdapterMetadata;
import dev.stowage.scanning.external.HarborMediaTypes;
import dev.stowage.scanning.external.ScannerAdapterRegistration;
import dev.stowage.server.Access;
import dev.stowage.server.AdminCall;
import dev.stowage.server.AdminRouteSet;
import dev.stowage.server.AdminRoutes;
import dev.stowage.server.ApiDoc;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * External scanners (system administrators): Harbor pluggable scanner adapters registered with their URL and
 * authentication (the secret is write-only: no answer carries it), pinged, made the default; and each project's own
 * choice of scanner (its administrators, among the registered ones).
 */
public final class ScannerRoutes implements AdminRouteSet {
    private static final String[] FIELDS = {"name", "url", "auth", "secret", "skipTlsVerify", "description"};
    private static final String[] PATCH_FIELDS = {"url", "auth", "secret", "skipTlsVerify", "description"};
    private static final Map<String, Object> NO_STORE = Map.of("Cache-Control", "no-store");

    private final ScannerAdapters adapters;

    public ScannerRoutes(ScannerAdapters adapters) {
        this.adapters = adapters;
    }

    @Override
    public void declare(AdminRoutes routes) {
        routes.schema("ScannerRegistration", """
                {"type": "object", "additionalProperties": false, "properties": {
                  "name": {"type": "string", "pattern": "^[a-z0-9][a-z0-9._-]{0,63}$"},
                  "url": {"type": "string", "format": "uri", "description": "the adapter's base URL, without /api/v1"},
                  "auth": {"type": "string", "enum": ["none", "basic", "bearer", "apikey"], "default": "none"},
                  "secret": {"type": "string", "writeOnly": true, "description": "basic: user:password; bearer: the token; apikey: the X-ScannerAdapter-API-Key value. Never answered back."},
                  "skipTlsVerify": {"type": "boolean", "default": false, "description": "refused unless scanning.adapterSkipTlsVerify allows it"},
                  "description": {"type": "string", "maxLength": 1024}}}""");
        routes.schema("ProjectScanner", """
                {"type": "object", "additionalProperties": false, "required": ["name"], "properties": {
                  "name": {"type": ["string", "null"], "description": "a registered scanner, stowage, or null for the default"}}}""");
        routes.path("/api/v1/scanners", Access.system())
                .get(doc("getScanners", "The scanners: the built-in one (stowage) and the registered Harbor pluggable "
                        + "scanner adapters (API v1.1), with the default marked; secrets are never shown. System "
                        + "administrators.").response(200, "the scanners"), this::list)
                .post(doc("postScanners", "Registers a scanner adapter: {name, url, auth: none|basic|bearer|apikey, "
                        + "secret, skipTlsVerify, description}. The secret is kept sealed and never answered back.")
                        .body("ScannerRegistration").response(201, "registered").response(400, "invalid registration")
                        .response(409, "a scanner of that name exists"), this::register);
        routes.path("/api/v1/scanners/{name}", Access.system())
                .get(doc("getScanner", "One scanner (without its secret).").response(200, "the scanner")
                        .response(404, "no such scanner"), call -> answer(call, 200, view(call.variable("name"))))
                .patch(doc("patchScanner", "Changes {url, auth, secret, skipTlsVerify, description}; what is left out "
                        + "is kept (a new auth other than none needs its secret).").body("ScannerRegistration")
                        .response(200, "the scanner").response(404, "no such scanner"), this::update)
                .delete(doc("deleteScanner", "Unregisters an adapter; refused (409) while it is the default or a project "
                        + "names it.").response(204, "deleted").response(404, "no such scanner")
                        .response(409, "the default, or chosen by projects"), this::delete);
        routes.path("/api/v1/scanners/{name}/ping", Access.system())
                .post(doc("pingScanner", "Fetches the adapter's metadata (GET /api/v1/metadata) and checks it can scan "
                        + "OCI or Docker image manifests into a vulnerability report v1.1.")
                        .response(200, "the adapter's metadata").response(404, "no such scanner")
                        .response(422, "the adapter cannot scan image manifests")
                        .response(502, "the adapter could not be reached, refused the credentials or broke the protocol"),
                        this::ping);
        routes.path("/api/v1/scanners/{name}/default", Access.system())
                .put(doc("putDefaultScanner", "Makes this scanner the one every project uses unless it names its own "
                        + "(stowage, the built-in scanner, until another is chosen).").response(200, "the default")
                        .response(404, "no such scanner"), call -> {
                    adapters.makeDefault(call.variable("name"));
                    answer(call, 200, Map.of("default", adapters.defaultScanner()));
                });
        routes.path("/api/v1/projects/{project}/scanner", Access.project(Action.MANAGE_PROJECT, "project"))
                .get(Access.project(Action.READ_PROJECT, "project"), doc("getProjectScanner", "The scanner that scans "
                        + "the project's images: {name, projectsOwn} (projectsOwn false: the default). Members of the "
                        + "project.").response(200, "the scanner"), this::projectScanner)
                .put(doc("putProjectScanner", "Chooses the project's scanner among the registered ones: {name} (null: "
                        + "the default). Project administrators.").body("ProjectScanner")
                        .response(200, "the scanner").response(404, "no such scanner"), this::chooseProjectScanner);
    }

    private static ApiDoc doc(String operationId, String summary) {
        return ApiDoc.op(operationId, summary).tag("scanning");
    }

    private static void answer(AdminCall call, int status, Object value) {
        call.sendJson(status, NO_STORE, value);
    }

    private void list(AdminCall call) {
        String defaultScanner = adapters.defaultScanner();
        List<Map<String, Object>> items = new ArrayList<>();
        items.add(builtIn(defaultScanner));
        for (ScannerAdapterStore.StoredAdapter a : adapters.adapters()) items.add(view(a, defaultScanner));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("default", defaultScanner);
        body.put("items", items);
        answer(call, 200, body);
    }

    private Map<String, Object> view(String name) {
        String defaultScanner = adapters.defaultScanner();
        if (name.equals(ScannerAdapters.BUILT_IN)) return builtIn(defaultScanner);
        return view(adapters.adapter(name), defaultScanner);
    }

    private static Map<String, Object> builtIn(String defaultScanner) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", ScannerAdapters.BUILT_IN);
        m.put("builtIn", true);
        m.put("default", defaultScanner.equals(ScannerAdapters.BUILT_IN));
        m.put("description", "Stowage's own scanner: inventories from the image's layers, OSV data");
        return m;
    }

    /** An adapter as answered: everything but the secret. */
    private static Map<String, Object> view(ScannerAdapterStore.StoredAdapter a, String defaultScanner) {
        ScannerAdapterRegistration r = a.registration();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", r.name());
        m.put("builtIn", false);
        m.put("default", r.name().equals(defaultScanner));
        m.put("url", r.url().toString());
        m.put("auth", ScannerAdapters.authName(r.auth().scheme()));
        m.put("skipTlsVerify", r.skipTlsVerify());
        m.put("description", a.description());
        m.put("createdAt", a.createdAt().toString());
        m.put("updatedAt", a.updatedAt().toString());
        return m;
    }

    private void register(AdminCall call) {
        JsonNode body = call.json(FIELDS);
        AdapterAuthentication auth = ScannerAdapters.authentication(text(body, "auth").orElse("none"),
                text(body, "secret").orElse(""));
        ScannerAdapterStore.StoredAdapter added = adapters.register(text(body, "name").orElse(null),
                url(text(body, "url").orElseThrow(() -> AdminCall.badInput("url is required, e.g. http://trivy-adapter:8080"))),
                auth, bool(body, "skipTlsVerify").orElse(false), text(body, "description").orElse(""));
        answer(call, 201, view(added, adapters.defaultScanner()));
    }

    private void update(AdminCall call) {
        String name = call.variable("name");
        builtInUnchangeable(name);
        JsonNode body = call.json(PATCH_FIELDS);
        Optional<String> type = text(body, "auth");
        Optional<String> secret = text(body, "secret");
        Optional<AdapterAuthentication> auth = Optional.empty();
        if (type.isPresent() || secret.isPresent()) {
            String scheme = type.orElseGet(() -> ScannerAdapters.authName(adapters.adapter(name).registration().auth().scheme()));
            auth = Optional.of(ScannerAdapters.authentication(scheme, secret.orElse("")));
        }
        ScannerAdapterStore.StoredAdapter changed = adapters.update(name, text(body, "url").map(ScannerRoutes::url), auth,
                bool(body, "skipTlsVerify"), text(body, "description"));
        answer(call, 200, view(changed, adapters.defaultScanner()));
    }

    private void delete(AdminCall call) {
        String name = call.variable("name");
        builtInUnchangeable(name);
        adapters.delete(name);
        call.sendEmpty(204);
    }

    private static void builtInUnchangeable(String name) {
        if (name.equals(ScannerAdapters.BUILT_IN)) {
            throw new RegistryException(ErrorCode.CONFLICT, "the built-in scanner cannot be changed or deleted",
                    Map.of("name", name));
        }
    }

    private void ping(AdminCall call) {
        String name = call.variable("name");
        AdapterMetadata metadata = adapters.ping(name);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        Map<String, Object> scanner = new LinkedHashMap<>();
        scanner.put("name", metadata.name());
        scanner.put("vendor", metadata.vendor());
        scanner.put("version", metadata.version());
        m.put("scanner", scanner);
        Map<String, Object> canScan = new LinkedHashMap<>();
        canScan.put("ociManifest", metadata.canScan(HarborMediaTypes.OCI_MANIFEST));
        canScan.put("dockerManifest", metadata.canScan(HarborMediaTypes.DOCKER_MANIFEST));
        m.put("canScan", canScan);
        List<Map<String, Object>> capabilities = new ArrayList<>();
        for (AdapterMetadata.Capability c : metadata.capabilities()) {
            capabilities.add(Map.of("consumesMimeTypes", c.consumesMimeTypes(), "producesMimeTypes", c.producesMimeTypes()));
        }
        m.put("capabilities", capabilities);
        m.put("properties", metadata.properties());
        answer(call, 200, m);
    }

    private void projectScanner(AdminCall call) {
        ScannerAdapters.Choice choice = adapters.scannerOf(call.variable("project"));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", choice.scanner());
        m.put("projectsOwn", choice.projectsOwn());
        answer(call, 200, m);
    }

    private void chooseProjectScanner(AdminCall call) {
        JsonNode body = call.json("name");
        JsonNode name = body.get("name");
        if (name == null) throw AdminCall.badInput("name is required: a registered scanner, stowage, or null for the default");
        if (!name.isNull() && !name.isTextual()) throw AdminCall.badInput("name must be a scanner's name or null");
        adapters.chooseForProject(call.variable("project"), name.isNull() ? Optional.empty() : Optional.of(name.textValue()));
        projectScanner(call);
    }

    private static Optional<String> text(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) return Optional.empty();
        if (!v.isTextual()) throw AdminCall.badInput(field + " must be a string");
        return Optional.of(v.textValue());
    }

    private static Optional<Boolean> bool(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) return Optional.empty();
        if (!v.isBoolean()) throw AdminCall.badInput(field + " must be true or false");
        return Optional.of(v.booleanValue());
    }

    private static URI url(String text) {
        try {
            return new URI(text);
        } catch (java.net.URISyntaxException e) {
            throw AdminCall.badInput("url is not a URL: use http(s)://host[:port][/path]");
        }
    }
}
