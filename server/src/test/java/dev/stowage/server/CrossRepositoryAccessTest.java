package dev.stowage.server;

import dev.stowage.core.Digest;
import dev.stowage.core.access.Role;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static dev.stowage.server.AuthenticatedRegistry.JSON;
import static dev.stowage.server.AuthenticatedRegistry.errorCode;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Attacks on every path that links existing content into a repository, sent as an attacker would: {@code gdev}, a
 * developer of project {@code gamma} holding a real token for {@code repository:gamma/app:pull,push} only, goes after
 * content of {@code alpha}, a private project they are not a member of. Each test names what must not happen.
 */
class CrossRepositoryAccessTest {
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";

    @TempDir Path root;
    AuthenticatedRegistry registry;

    /** The attacker's token: push and pull on gamma/app, nothing else. */
    String attacker;
    /** The administrator's token for alpha/app, to plant the private content. */
    String alphaAdmin;

    @BeforeEach
    void start() throws Exception {
        registry = AuthenticatedRegistry.in(root).admin("admin").user("gdev").user("both")
                .project("alpha", false).project("gamma", false)
                .member("gamma", "gdev", Role.DEVELOPER).member("gamma", "both", Role.DEVELOPER)
                .member("alpha", "both", Role.GUEST)
                .start();
        attacker = registry.token("gdev", "gdevpw", "repository:gamma/app:pull,push");
        alphaAdmin = registry.token("admin", "adminpw", "repository:alpha/app:pull,push");
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    // --- cross-repository mount ------------------------------------------------------------------------------

    @Test
    void mountFromAPrivateRepositoryTheCallerMayNotPullStartsAnOrdinaryUpload() throws Exception {
        Digest secret = pushBlob("alpha/app", "alpha's private layer", alphaAdmin);
        HttpResponse<String> r = post("/v2/gamma/app/blobs/uploads/?mount=" + secret + "&from=alpha/app", attacker);
        assertThat(r.statusCode()).isEqualTo(202);
        assertThat(r.headers().firstValue("Location")).get().asString().startsWith("/v2/gamma/app/blobs/uploads/");
        assertThat(registry.send(request("/v2/gamma/app/blobs/" + secret, attacker)).statusCode()).isEqualTo(404);
    }

    @Test
    void mountNeedsPullOnTheSourceInTheTokenNotOnlyAMembership() throws Exception {
        Digest secret = pushBlob("alpha/app", "alpha's private layer", alphaAdmin);
        String gammaOnly = registry.token("both", "bothpw", "repository:gamma/app:pull,push");
        assertThat(post("/v2/gamma/app/blobs/uploads/?mount=" + secret + "&from=alpha/app", gammaOnly).statusCode())
                .isEqualTo(202);
        String withSource = registry.token("both", "bothpw", "repository:gamma/app:pull,push repository:alpha/app:pull");
        HttpResponse<String> r = post("/v2/gamma/app/blobs/uploads/?mount=" + secret + "&from=alpha/app", withSource);
        assertThat(r.statusCode()).isEqualTo(201);
        assertThat(r.headers().firstValue("Location")).hasValue("/v2/gamma/app/blobs/" + secret);
        assertThat(registry.send(request("/v2/gamma/app/blobs/" + secret, withSource)).body()).isEqualTo("alpha's private layer");
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
        assertThat(registry.send(request("/v2/gamma/app/blobs/" + secret, attacker)).statusCode()).isEqualTo(404);
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
        String withSource = registry.token("both", "bothpw", "repository:gamma/app:pull,push repository:alpha/app:pull");
        HttpResponse<String> r = post("/v2/gamma/app/blobs/uploads/?mount=" + shared, withSource);
        assertThat(r.statusCode()).isEqualTo(201);
        assertThat(registry.send(request("/v2/gamma/app/blobs/" + shared, withSource)).statusCode()).isEqualTo(200);
    }

    // --- reads of content stored only elsewhere --------------------------------------------------------------

    @Test
    void blobStoredOnlyInAnotherRepositoryIsUnknownHere() throws Exception {
        Digest secret = pushBlob("alpha/app", "alpha's private layer", alphaAdmin);
        HttpResponse<String> get = registry.send(request("/v2/gamma/app/blobs/" + secret, attacker));
        HttpResponse<String> head = registry.send(request("/v2/gamma/app/blobs/" + secret, attacker)
                .method("HEAD", HttpRequest.BodyPublishers.noBody()));
        assertThat(get.statusCode()).isEqualTo(404);
        assertThat(errorCode(get)).isEqualTo("BLOB_UNKNOWN");
        assertThat(head.statusCode()).isEqualTo(404);
    }

    // --- uploads of a digest stored elsewhere ----------------------------------------------------------------

    @Test
    void monolithicUploadOfWrongBytesUnderADigestStoredElsewhereLinksNothing() throws Exception {
        Digest secret = pushBlob("alpha/app", "alpha's private layer", alphaAdmin);
        HttpResponse<String> r = registry.send(request("/v2/gamma/app/blobs/uploads/?digest=" + secret, attacker)
                .POST(HttpRequest.BodyPublishers.ofString("not the secret")));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(errorCode(r)).isEqualTo("DIGEST_INVALID");
        assertThat(registry.send(request("/v2/gamma/app/blobs/" + secret, attacker)).statusCode()).isEqualTo(404);
    }

    @Test
    void chunkedUploadOfWrongBytesUnderADigestStoredElsewhereLinksNothing() throws Exception {
        Digest secret = pushBlob("alpha/app", "alpha's private layer", alphaAdmin);
        String location = post("/v2/gamma/app/blobs/uploads/", attacker).headers().firstValue("Location").orElseThrow();
        HttpResponse<String> r = registry.send(request(location + "?digest=" + secret, attacker)
                .PUT(HttpRequest.BodyPublishers.ofString("not the secret")));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(errorCode(r)).isEqualTo("DIGEST_INVALID");
        assertThat(registry.send(request("/v2/gamma/app/blobs/" + secret, attacker)).statusCode()).isEqualTo(404);
    }

    @Test
    void uploadOfTheRightBytesOfADigestStoredElsewhereAnswersAsAnyUpload() throws Exception {
        Digest secret = pushBlob("alpha/app", "alpha's private layer", alphaAdmin);
        Digest fresh = pushBlob("gamma/app", "gamma's own layer", attacker);
        HttpResponse<String> same = registry.send(request("/v2/gamma/app/blobs/uploads/?digest=" + secret, attacker)
                .POST(HttpRequest.BodyPublishers.ofString("alpha's private layer")));
        assertThat(same.statusCode()).isEqualTo(201);
        assertThat(same.headers().map().keySet()).isEqualTo(registry.send(request("/v2/gamma/app/blobs/uploads/?digest=" + fresh,
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
        assertThat(errorCode(r)).isEqualTo("MANIFEST_BLOB_UNKNOWN");
        assertThat(registry.send(request("/v2/gamma/app/blobs/" + layer, attacker)).statusCode()).isEqualTo(404);
    }

    @Test
    void manifestReferencingOneBlobStoredOnlyElsewhereAmongItsOwnIsRefused() throws Exception {
        Digest config = pushBlob("gamma/app", "{\"gamma\":\"config\"}", attacker);
        Digest layer = pushBlob("alpha/app", "alpha's private layer", alphaAdmin);
        HttpResponse<String> r = putManifest("gamma/app", "mixed", OCI_MANIFEST,
                imageManifest(config, 18, layer, 21, null), attacker);
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(errorCode(r)).isEqualTo("MANIFEST_BLOB_UNKNOWN");
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
        assertThat(errorCode(r)).isEqualTo("MANIFEST_BLOB_UNKNOWN");
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
        assertThat(JSON.readTree(registry.send(request("/v2/alpha/app/referrers/" + subject, alphaAdmin)).body())
                .path("manifests").size()).isEqualTo(1);
        HttpResponse<String> r = registry.send(request("/v2/gamma/app/referrers/" + subject, attacker));
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

    HttpRequest.Builder request(String path, String bearer) {
        return registry.request(path).header("Authorization", "Bearer " + bearer).timeout(Duration.ofSeconds(30));
    }

    HttpResponse<String> post(String path, String bearer) throws Exception {
        return registry.send(request(path, bearer).POST(HttpRequest.BodyPublishers.noBody()));
    }

    Digest pushBlob(String repo, String content, String bearer) throws Exception {
        Digest digest = Digest.sha256Of(content.getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> r = registry.send(request("/v2/" + repo + "/blobs/uploads/?digest=" + digest, bearer)
                .POST(HttpRequest.BodyPublishers.ofString(content)));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return digest;
    }

    HttpResponse<String> putManifest(String repo, String reference, String mediaType, String body, String bearer)
            throws Exception {
        return registry.send(request("/v2/" + repo + "/manifests/" + reference, bearer).header("Content-Type", mediaType)
                .PUT(HttpRequest.BodyPublishers.ofString(body)));
    }
}
