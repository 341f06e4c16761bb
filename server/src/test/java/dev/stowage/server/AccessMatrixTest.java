package dev.stowage.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowage.core.Digest;
import dev.stowage.core.access.Account;
import dev.stowage.core.access.Project;
import dev.stowage.core.access.RegistryPolicy;
import dev.stowage.core.access.Role;
import dev.stowage.core.service.RegistryService;
import dev.stowage.core.service.ServiceSettings;
import dev.stowage.identity.AccountService;
import dev.stowage.identity.AuthSettings;
import dev.stowage.identity.PasswordHasher;
import dev.stowage.identity.RegistryTokens;
import dev.stowage.identity.SigningKeys;
import dev.stowage.identity.TokenAccessController;
import dev.stowage.identity.TokenGrants;
import dev.stowage.metadata.JdbcIdentityStore;
import dev.stowage.metadata.JdbcMetadataStore;
import dev.stowage.metadata.MetadataConfig;
import dev.stowage.storage.FileSystemBlobStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The generated access matrix over real HTTP: every route x every kind of caller x public/private project, each
 * cell asserting the exact status. The expected table is written out here, independently of the implementation.
 */
class AccessMatrixTest {
    static final PasswordHasher FAST = new PasswordHasher(1024, 1, 1);
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static final List<String> CALLERS = List.of("anonymous", "non-member", "guest", "developer", "maintainer", "project-admin",
            "system-admin");

    static Path root;
    static JdbcMetadataStore metadata;
    static RegistryServer server;
    static String base;
    static final Map<String, Digest> manifests = new LinkedHashMap<>();

    /** What a route needs, and what it answers when allowed. */
    record Route(String name, String method, String pathTemplate, String need, int allowedStatus, String body) {}

    static final List<Route> ROUTES = List.of(
            new Route("version check", "GET", "/v2/", "ping", 200, null),
            new Route("tags list", "GET", "/v2/{p}/app/tags/list", "pull", 200, null),
            new Route("manifest get", "GET", "/v2/{p}/app/manifests/v1", "pull", 200, null),
            new Route("manifest head", "HEAD", "/v2/{p}/app/manifests/v1", "pull", 200, null),
            new Route("referrers", "GET", "/v2/{p}/app/referrers/{digest}", "pull", 200, null),
            new Route("start upload", "POST", "/v2/{p}/app/blobs/uploads/", "push", 202, null),
            new Route("delete missing tag", "DELETE", "/v2/{p}/app/manifests/missing", "delete", 404, null),
            new Route("catalog", "GET", "/v2/_catalog", "catalog", 200, null),
            new Route("admin: list users", "GET", "/api/v1/users", "system", 200, null),
            new Route("admin: create project", "POST", "/api/v1/projects", "system", 400, "{\"name\":\"\"}"),
            new Route("admin: project members", "GET", "/api/v1/projects/{p}/members", "manage", 200, null),
            new Route("admin: system robots", "GET", "/api/v1/robots", "system", 200, null),
            new Route("admin: garbage collection (dry run)", "POST", "/api/v1/gc", "system", 200, "{\"dryRun\":true}"),
            new Route("admin: project robots", "GET", "/api/v1/projects/{p}/robots", "manage", 200, null),
            new Route("admin: create project robot", "POST", "/api/v1/projects/{p}/robots", "manage", 400,
                    "{\"name\":\"ci\",\"permissions\":[]}"),
            new Route("admin: delete user", "DELETE", "/api/v1/users/nobody", "system", 404, null),
            new Route("admin: own account", "GET", "/api/v1/me", "self", 200, null),
            new Route("admin: own tokens", "GET", "/api/v1/me/tokens", "self", 200, null),
            new Route("admin: own password (wrong current one)", "PUT", "/api/v1/me/password", "self", 400,
                    "{\"currentPassword\":\"not-it\",\"newPassword\":\"a-long-new-password\"}"),
            new Route("admin: list repositories", "GET", "/api/v1/projects/{p}/repositories", "member", 200, null),
            new Route("admin: list artifacts", "GET", "/api/v1/repositories/{p}/app/artifacts", "member", 200, null),
            new Route("admin: delete missing repository", "DELETE", "/api/v1/repositories/{p}/missing", "maintain", 404, null),
            new Route("admin: delete non-empty project", "DELETE", "/api/v1/projects/{p}", "system", 409, null));

    /** The rule, as a table: may this caller do this on a public or private project? */
    static boolean allowed(String caller, String need, boolean isPublic) {
        return switch (need) {
            case "ping", "self" -> !caller.equals("anonymous");
            case "catalog", "system" -> caller.equals("system-admin");
            case "manage" -> caller.equals("system-admin") || caller.equals("project-admin");
            case "member" -> !List.of("anonymous", "non-member").contains(caller);
            case "maintain" -> List.of("maintainer", "project-admin", "system-admin").contains(caller);
            case "pull" -> isPublic || !List.of("anonymous", "non-member").contains(caller);
            case "push" -> List.of("developer", "maintainer", "project-admin", "system-admin").contains(caller);
            case "delete" -> List.of("maintainer", "project-admin", "system-admin").contains(caller);
            default -> throw new IllegalArgumentException(need);
        };
    }

    /** Refusals: 401 on registry routes (the token protocol asks again) and for anonymous callers; 403 otherwise. */
    static int refusedStatus(String caller, String need) {
        boolean admin = List.of("system", "manage", "self", "member", "maintain").contains(need);
        return admin && !caller.equals("anonymous") ? 403 : 401;
    }

    @BeforeAll
    static void start() throws Exception {
        root = Files.createTempDirectory("matrix");
        metadata = JdbcMetadataStore.open(new MetadataConfig("jdbc:sqlite:" + root.resolve("m.db"), "", "", 0));
        JdbcIdentityStore identities = new JdbcIdentityStore(metadata);
        Instant now = Instant.now();
        for (String caller : CALLERS) {
            if (caller.equals("anonymous")) continue;
            identities.createAccount(new Account(caller, FAST.hash((caller + "-pw").toCharArray()), caller.equals("system-admin"), false, now));
        }
        for (String project : List.of("pub", "priv")) {
            identities.createProject(new Project(project, project.equals("pub"), now));
            identities.setMember(project, "guest", Role.GUEST);
            identities.setMember(project, "developer", Role.DEVELOPER);
            identities.setMember(project, "maintainer", Role.MAINTAINER);
            identities.setMember(project, "project-admin", Role.ADMIN);
        }
        RegistryTokens tokens = new RegistryTokens(SigningKeys.shared(identities, Clock.systemUTC(), Duration.ofHours(1)),
                "stowage", "stowage", Duration.ofMinutes(5), Clock.systemUTC());
        TokenGrants grants = new TokenGrants(identities, FAST, tokens);
        RegistryService service = new RegistryService(new FileSystemBlobStore(root.resolve("blobs")), metadata,
                RegistryPolicy.PERMISSIVE, ServiceSettings.DEFAULTS, Clock.systemUTC());
        server = RegistryServer.start(ServerSettings.of("127.0.0.1", 0), service,
                new TokenAccessController(tokens, grants, identities, new AuthSettings("stowage", Optional.empty(), Duration.ofMinutes(5))),
                grants, new AccountService(identities, FAST, Clock.systemUTC()));
        base = "http://127.0.0.1:" + server.port();
        for (String project : List.of("pub", "priv")) manifests.put(project, pushImage(project));
    }

    @AfterAll
    static void stop() {
        server.close();
        metadata.close();
    }

    static String token(String caller, String project) throws Exception {
        String scopes = "repository:" + project + "/app:pull,push,delete registry:catalog:*";
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/token?service=stowage&scope="
                + URLEncoder.encode(scopes, StandardCharsets.UTF_8)));
        if (!caller.equals("anonymous")) b.header("Authorization", basic(caller));
        return JSON.readTree(HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString()).body()).path("token").asText();
    }

    static String basic(String caller) {
        return "Basic " + Base64.getEncoder().encodeToString((caller + ":" + caller + "-pw").getBytes());
    }

    static Digest pushImage(String project) throws Exception {
        String bearer = "Bearer " + token("system-admin", project);
        byte[] config = ("{\"project\":\"" + project + "\"}").getBytes();
        Digest configDigest = Digest.sha256Of(config);
        HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v2/" + project + "/app/blobs/uploads/?digest=" + configDigest))
                .header("Authorization", bearer).POST(HttpRequest.BodyPublishers.ofByteArray(config)).build(),
                HttpResponse.BodyHandlers.discarding());
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{"
                + "\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest + "\",\"size\":"
                + config.length + "},\"layers\":[]}").getBytes();
        HttpResponse<String> put = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v2/" + project + "/app/manifests/v1"))
                .header("Authorization", bearer).header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
        return Digest.sha256Of(manifest);
    }

    @TestFactory
    List<DynamicTest> everyRouteForEveryCallerOnPublicAndPrivateProjects() {
        List<DynamicTest> cells = new ArrayList<>();
        for (Route route : ROUTES) {
            for (String caller : CALLERS) {
                for (String project : List.of("pub", "priv")) {
                    boolean isPublic = project.equals("pub");
                    boolean allowed = allowed(caller, route.need(), isPublic);
                    int expected = allowed ? route.allowedStatus() : refusedStatus(caller, route.need());
                    String name = route.name() + " | " + caller + " | " + (isPublic ? "public" : "private") + " -> " + expected;
                    cells.add(DynamicTest.dynamicTest(name, () -> {
                        String path = route.pathTemplate().replace("{p}", project).replace("{digest}", manifests.get(project).toString());
                        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).method(route.method(),
                                route.body() == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(route.body()));
                        boolean admin = path.startsWith("/api/");
                        if (!caller.equals("anonymous")) {
                            b.header("Authorization", admin ? basic(caller) : "Bearer " + token(caller, project));
                        }
                        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
                        assertThat(r.statusCode()).as(r.body()).isEqualTo(expected);
                    }));
                }
            }
        }
        return cells;
    }
}
