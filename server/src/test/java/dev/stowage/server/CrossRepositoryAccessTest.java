package dev.stowage.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowage.core.Digest;
import dev.stowage.core.access.Account;
import dev.stowage.core.access.Project;
import dev.stowage.core.access.RegistryPolicy;
import dev.stowage.core.access.Role;
import dev.stowage.core.service.RegistryService;
import dev.stowage.core.service.ServiceSettings;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Attacks on every path that links existing content into a repository, sent as an attacker would: {@code gdev}, a
 * developer of project {@code gamma} holding a real token for {@code repository:gamma/app:pull,push} only, goes after
 * content of {@code alpha}, a private project they are not a member of. Each test names what must not happen.
 */
class CrossRepositoryAccessTest {
    static final PasswordHasher FAST = new PasswordHasher(1024, 1, 1);
    static final ObjectMapper JSON = new ObjectMapper();
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";

    @TempDir Path root;
    JdbcMetadataStore metadata;
    RegistryServer server;
    String base;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** The attacker's token: push and pull on gamma/app, nothing else. */
    String attacker;
    /** The administrator's token for alpha/app, to plant the private content. */
    String alphaAdmin;

    @BeforeEach
    void start() throws Exception {
        metadata = JdbcMetadataStore.open(new MetadataConfig("jdbc:sqlite:" + root.resolve("m.db"), "", "", 0));
        JdbcIdentityStore identities = new JdbcIdentityStore(metadata);
        Instant now = Instant.now();
        identities.createAccount(new Account("admin", FAST.hash("adminpw".toCharArray()), true, false, now));
        identities.createAccount(new Account("gdev", FAST.hash("gdevpw".toCharArray()), false, false, now));
        identities.createAccount(new Account("both", FAST.hash("bothpw".toCharArray()), false, false, now));
        identities.createProject(new Project("alpha", false, now));
        identities.createProject(new Project("gamma", false, now));
        identities.setMember("gamma", "gdev", Role.DEVELOPER);
        identities.setMember("gamma", "both", Role.DEVELOPER);
        identities.setMember("alpha", "both", Role.GUEST);
        AuthSettings auth = new AuthSettings("stowage", Optional.empty(), Duration.ofMinutes(5));
        SigningKeys signingKeys = SigningKeys.shared(identities, Clock.systemUTC(), Duration.ofHours(1));
        RegistryTokens tokens = new RegistryTokens(signingKeys, "stowage", "stowage", Duration.ofMinutes(5),
                Clock.systemUTC());
        RegistryService service = new RegistryService(new FileSystemBlobStore(root.resolve("blobs")), metadata,
                RegistryPolicy.PERMISSIVE, ServiceSettings.DEFAULTS, Clock.systemUTC());
        TokenGrants grants = new TokenGrants(identities, FAST, tokens);
        server = RegistryServer.start(ServerSettings.of("127.0.0.1", 0), service,
                new TokenAccessController(tokens, grants, identities, auth), Optional.of(grants), Optional.empty());
        base = "http://127.0.0.1:" + server.port();
        attacker = token("gdev", "gdevpw", "repository:gamma/app:pull,push");
        alphaAdmin = token("admin", "adminpw", "repository:alpha/app:pull,push");
    }

    @AfterEach
    void stop() {
        server.close();
        metadata.close();
    }

    // --- cross-repository mount ------------------------------------------------------------------------------

    @Test
    void mountFromAPrivateRepositoryTheCallerMayNotPullStartsAnOrdinaryUpload() throws Exception {
        Digest secret = pushBlob("alpha/app", "alpha's private layer", alphaAdmin);
        HttpResponse<String> r = post("/v2/gamma/app/blobs/uploads/?mount=" + secret + "&from=alpha/app", attacker);
        assertThat(r.statusCode()).isEqualTo(202);
        assertThat(r.headers().firstValue("Location")).get().asString().startsWith("/v2/gamma/app/blobs/uploads/");
        assertThat(send(request("/v2/gamma/app/blobs/" + secret, attacker)).statusCode()).isEqualTo(404);
    }

    @Test
    void mountNeedsPullOnTheSourceInTheTokenNotOnlyAMembership() throws Exception {
        Digest secret = pushBlob("alpha/app", "alpha's private layer", alphaAdmin);
        String gammaOnly = token("both", "bothpw", "repository:gamma/app:pull,push");
        assertThat(post("/v2/gamma/app/blobs/uploads/?mount=" + secret + "&from=alpha/app", gammaOnly).statusCode())
                .isEqualTo(202);
        String withSource = token("both", "bothpw", "repository:gamma/app:pull,push repository:alpha/app:pull");
        HttpResponse<String> r = post("/v2/gamma/app/blobs/uploads/?mount=" + secret + "&from=alpha/app", withSource);
        assertThat(r.statusCode()).isEqualTo(201);
        assertThat(r.headers().firstValue("Location")).hasValue("/v2/gamma/app/blobs/" + secret);
        assertThat(send(request("/v2/gamma/app/blobs/" + secret, withSource)).body()).isEqualTo("alpha's private layer");
    }

    @Test
    void mountFromAnInvalidRepositoryNameStartsAnOrdinaryUpload() throws Exception {
        Digest secret = pushBlob("alpha/app", "alpha's private layer", alphaAdmin);
        HttpResponse<String> r = post("/v2/gamma/app/blobs/uploads/?mount=" + secret + "&from=ALPHA/..", attacker);
        assertThat(r.statusCode()).isEqualTo(202);
    }

    @Test
    void automaticMountDoesNotLinkBlobsOfRepositoriesTheCallerMayNotPull() throws Exception {
        Digest secret = pushBlob("alpha/app", "alpha's private layer", alphaAdmin);
        HttpResponse<String> r = post("/v2/gamma/app/blobs/uploads/?mount=" + secret, attacker);
        assertThat(r.statusCode()).isEqualTo(202);
        assertThat(send(request("/v2/gamma/app/blobs/" + secret, attacker)).statusCode()).isEqualTo(404);
    }

    @Test
    void automaticMountAnswersAPrivateDigestExactlyAsAnAbsentOne() throws Exception {
        Digest secret = pushBlob("alpha/app", "alpha's private layer", alphaAdmin);
        Digest absent = Digest.sha256Of("nowhere".getBytes());
        HttpResponse<String> privateOne = post("/v2/gamma/app/blobs/uploads/?mount=" + secret, attacker);
        HttpResponse<String> absentOne = post("/v2/gamma/app/blobs/uploads/?mount=" + absent, attacker);
        assertThat(privateOne.statusCode()).isEqualTo(absentOne.statusCode()).isEqualTo(202);
        assertThat(privateOne.headers().map().keySet()).isEqualTo(absentOne.headers().map().keySet());
        assertThat(privateOne.headers().firstValue("Range")).isEqualTo(absentOne.headers().firstValue("Range"));
        assertThat(privateOne.body()).isEqualTo(absentOne.body());
    }

    @Test
    void automaticMountLinksFromARepositoryTheTokenMayPull() throws Exception {
        Digest shared = pushBlob("alpha/app", "a layer both may read", alphaAdmin);
        String withSource = token("both", "bothpw", "repository:gamma/app:pull,push repository:alpha/app:pull");
        HttpResponse<String> r = post("/v2/gamma/app/blobs/uploads/?mount=" + shared, withSource);
        assertThat(r.statusCode()).isEqualTo(201);
        assertThat(send(request("/v2/gamma/app/blobs/" + shared, withSource)).statusCode()).isEqualTo(200);
    }

    // --- reads of content stored only elsewhere --------------------------------------------------------------

    @Test
    void blobStoredOnlyInAnotherRepositoryIsUnknownHere() throws Exception {
        Digest secret = pushBlob("alpha/app", "alpha's private layer", alphaAdmin);
        HttpResponse<String> get = send(request("/v2/gamma/app/blobs/" + secret, attacker));
        HttpResponse<String> head = send(request("/v2/gamma/app/blobs/" + secret, attacker)
                .method("HEAD", HttpRequest.BodyPublishers.noBody()));
        assertThat(get.statusCode()).isEqualTo(404);
        assertThat(code(get)).isEqualTo("BLOB_UNKNOWN");
        assertThat(head.statusCode()).isEqualTo(404);
    }

    // --- uploads of a digest stored elsewhere ----------------------------------------------------------------

    @Test
    void monolithicUploadOfWrongBytesUnderADigestStoredElsewhereLinksNothing() throws Exception {
        Digest secret = pushBlob("alpha/app", "alpha's private layer", alphaAdmin);
        HttpResponse<String> r = send(request("/v2/gamma/app/blobs/uploads/?digest=" + secret, attacker)
                .POST(HttpRequest.BodyPublishers.ofString("not the secret")));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(code(r)).isEqualTo("DIGEST_INVALID");
        assertThat(send(request("/v2/gamma/app/blobs/" + secret, attacker)).statusCode()).isEqualTo(404);
    }

    @Test
    void chunkedUploadOfWrongBytesUnderADigestStoredElsewhereLinksNothing() throws Exception {
        Digest secret = pushBlob("alpha/app", "alpha's private layer", alphaAdmin);
        String location = post("/v2/gamma/app/blobs/uploads/", attacker).headers().firstValue("Location").orElseThrow();
        HttpResponse<String> r = send(request(location + "?digest=" + secret, attacker)
                .PUT(HttpRequest.BodyPublishers.ofString("not the secret")));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(code(r)).isEqualTo("DIGEST_INVALID");
        assertThat(send(request("/v2/gamma/app/blobs/" + secret, attacker)).statusCode()).isEqualTo(404);
    }

    @Test
    void uploadOfTheRightBytesOfADigestStoredElsewhereAnswersAsAnyUpload() throws Exception {
        Digest secret = pushBlob("alpha/app", "alpha's private layer", alphaAdmin);
        Digest fresh = pushBlob("gamma/app", "gamma's own layer", attacker);
        HttpResponse<String> same = send(request("/v2/gamma/app/blobs/uploads/?digest=" + secret, attacker)
                .POST(HttpRequest.BodyPublishers.ofString("alpha's private layer")));
        assertThat(same.statusCode()).isEqualTo(201);
        assertThat(same.headers().map().keySet()).isEqualTo(send(request("/v2/gamma/app/blobs/uploads/?digest=" + fresh,
                attacker).POST(HttpRequest.BodyPublishers.ofString("gamma's own layer"))).headers().map().keySet());
    }

    // --- manifests that reference content stored elsewhere ---------------------------------------------------

    @Test
    void manifestReferencingBlobsStoredOnlyInAnotherRepositoryIsRefused() throws Exception {
        Digest config = pushBlob("alpha/app", "{\"alpha\":\"config\"}", alphaAdmin);
        Digest layer = pushBlob("alpha/app", "alpha's private layer", alphaAdmin);
        String manifest = imageManifest(config, 18, layer, 21, null);
        assertThat(putManifest("alpha/app", "v1", OCI_MANIFEST, manifest, alphaAdmin).statusCode()).isEqualTo(201);
        HttpResponse<String> r = putManifest("gamma/app", "stolen", OCI_MANIFEST, manifest, attacker);
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(code(r)).isEqualTo("MANIFEST_BLOB_UNKNOWN");
        assertThat(send(request("/v2/gamma/app/blobs/" + layer, attacker)).statusCode()).isEqualTo(404);
    }

    @Test
    void manifestReferencingOneBlobStoredOnlyElsewhereAmongItsOwnIsRefused() throws Exception {
        Digest config = pushBlob("gamma/app", "{\"gamma\":\"config\"}", attacker);
        Digest layer = pushBlob("alpha/app", "alpha's private layer", alphaAdmin);
        HttpResponse<String> r = putManifest("gamma/app", "mixed", OCI_MANIFEST,
                imageManifest(config, 18, layer, 21, null), attacker);
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(code(r)).isEqualTo("MANIFEST_BLOB_UNKNOWN");
        assertThat(JSON.readTree(r.body()).path("errors").path(0).path("detail").path("digest").asText())
                .isEqualTo(layer.toString());
    }

    @Test
    void indexListingAManifestStoredOnlyInAnotherRepositoryIsRefused() throws Exception {
        Digest config = pushBlob("alpha/app", "{\"alpha\":\"config\"}", alphaAdmin);
        Digest layer = pushBlob("alpha/app", "alpha's private layer", alphaAdmin);
        String child = imageManifest(config, 18, layer, 21, null);
        assertThat(putManifest("alpha/app", "v1", OCI_MANIFEST, child, alphaAdmin).statusCode()).isEqualTo(201);
        String index = "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_INDEX + "\",\"manifests\":[{\"mediaType\":\""
                + OCI_MANIFEST + "\",\"digest\":\"" + Digest.sha256Of(child.getBytes()) + "\",\"size\":"
                + child.length() + "}]}";
        HttpResponse<String> r = putManifest("gamma/app", "index", OCI_INDEX, index, attacker);
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(code(r)).isEqualTo("MANIFEST_BLOB_UNKNOWN");
    }

    @Test
    void referrersOfASubjectListOnlyManifestsStoredInTheRepositoryAsked() throws Exception {
        // The same image in both projects (gamma uploaded the bytes itself), and a private signature in alpha only.
        String configText = "{\"shared\":\"config\"}";
        String layerText = "a public base layer";
        Digest config = pushBlob("alpha/app", configText, alphaAdmin);
        Digest layer = pushBlob("alpha/app", layerText, alphaAdmin);
        pushBlob("gamma/app", configText, attacker);
        pushBlob("gamma/app", layerText, attacker);
        String image = imageManifest(config, configText.length(), layer, layerText.length(), null);
        Digest subject = Digest.sha256Of(image.getBytes());
        assertThat(putManifest("alpha/app", "v1", OCI_MANIFEST, image, alphaAdmin).statusCode()).isEqualTo(201);
        assertThat(putManifest("gamma/app", "v1", OCI_MANIFEST, image, attacker).statusCode()).isEqualTo(201);
        String signature = imageManifest(config, configText.length(), layer, layerText.length(),
                "\"subject\":{\"mediaType\":\"" + OCI_MANIFEST + "\",\"digest\":\"" + subject + "\",\"size\":"
                        + image.length() + "}");
        assertThat(putManifest("alpha/app", Digest.sha256Of(signature.getBytes()).toString(), OCI_MANIFEST, signature,
                alphaAdmin).statusCode()).isEqualTo(201);
        assertThat(JSON.readTree(send(request("/v2/alpha/app/referrers/" + subject, alphaAdmin)).body())
                .path("manifests").size()).isEqualTo(1);
        HttpResponse<String> r = send(request("/v2/gamma/app/referrers/" + subject, attacker));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).path("manifests").size()).isZero();
    }

    // --- helpers ----------------------------------------------------------------------------------------------

    static String imageManifest(Digest config, long configSize, Digest layer, long layerSize, String extra) {
        return "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + config + "\",\"size\":" + configSize
                + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"" + layer
                + "\",\"size\":" + layerSize + "}]" + (extra == null ? "" : "," + extra) + "}";
    }

    String token(String user, String password, String scope) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/token?service=stowage&scope="
                + URLEncoder.encode(scope, StandardCharsets.UTF_8)));
        b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes()));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).path("token").asText();
    }

    HttpRequest.Builder request(String path, String bearer) {
        return HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + bearer)
                .timeout(Duration.ofSeconds(30));
    }

    HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String bearer) throws Exception {
        return send(request(path, bearer).POST(HttpRequest.BodyPublishers.noBody()));
    }

    Digest pushBlob(String repo, String content, String bearer) throws Exception {
        Digest digest = Digest.sha256Of(content.getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> r = send(request("/v2/" + repo + "/blobs/uploads/?digest=" + digest, bearer)
                .POST(HttpRequest.BodyPublishers.ofString(content)));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return digest;
    }

    HttpResponse<String> putManifest(String repo, String reference, String mediaType, String body, String bearer)
            throws Exception {
        return send(request("/v2/" + repo + "/manifests/" + reference, bearer).header("Content-Type", mediaType)
                .PUT(HttpRequest.BodyPublishers.ofString(body)));
    }

    static String code(HttpResponse<String> r) throws Exception {
        JsonNode body = JSON.readTree(r.body());
        return body.path("errors").path(0).path("code").asText();
    }
}
