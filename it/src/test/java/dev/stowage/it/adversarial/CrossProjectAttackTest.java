package dev.stowage.it.adversarial;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import static dev.stowage.it.adversarial.Target.OCI_INDEX;
import static dev.stowage.it.adversarial.Target.OCI_MANIFEST;
import static dev.stowage.it.adversarial.Target.errorCode;
import static dev.stowage.it.adversarial.Target.expect;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A developer of project gamma, holding a token for {@code gamma/app} only, tries to reach content of the private
 * project alpha through every route that reads or links content: mounts (named and automatic), manifests and
 * indexes that reference alpha's digests, referrers, blob reads, tag lists and the catalog.
 */
class CrossProjectAttackTest extends AttackTest {
    static String alphaLayer;
    static byte[] alphaLayerBytes;
    static String alphaManifest;
    static String gusToken;

    @BeforeAll
    static void start() throws Exception {
        String alice = target.token("alice", Target.PASSWORD, "repository:alpha/app:pull,push");
        alphaLayerBytes = ("alpha's private layer " + System.nanoTime()).getBytes(StandardCharsets.UTF_8);
        alphaLayer = Target.digest(alphaLayerBytes);
        alphaManifest = target.pushImage(alice, "alpha/app", "secret", alphaLayerBytes);
        gusToken = target.token("gus", Target.PASSWORD, "repository:gamma/app:pull,push");
    }

    @Test
    void theTokenOfTheAttackerGrantsNothingOnAlpha() throws Exception {
        String token = target.token("gus", Target.PASSWORD, "repository:alpha/app:pull", "repository:gamma/app:pull,push");
        assertThat(Target.claims(token).path("access").toString()).doesNotContain("alpha");
    }

    @Test
    void mountFromAPrivateRepositoryTheCallerMayNotPullStartsAnOrdinaryUpload() throws Exception {
        HttpResponse<String> r = target.bearer(gusToken, "POST", "/v2/gamma/app/blobs/uploads/?mount=" + alphaLayer
                + "&from=alpha/app", null, null);
        assertThat(r.statusCode()).isEqualTo(202);
        assertThat(r.headers().firstValue("Location").orElseThrow()).contains("/v2/gamma/app/blobs/uploads/");
        assertNotReadableAsGamma(alphaLayer);
    }

    @Test
    void automaticMountWithoutFromDoesNotFindContentOfOtherProjects() throws Exception {
        HttpResponse<String> r = target.bearer(gusToken, "POST", "/v2/gamma/app/blobs/uploads/?mount=" + alphaLayer,
                null, null);
        assertThat(r.statusCode()).as("201 would tell the attacker the digest exists somewhere").isEqualTo(202);
        assertNotReadableAsGamma(alphaLayer);
    }

    @Test
    void mountAnswersAlikeForADigestThatExistsNowhere() throws Exception {
        String nowhere = Target.digest(Target.randomBytes(32));
        HttpResponse<String> absent = target.bearer(gusToken, "POST", "/v2/gamma/app/blobs/uploads/?mount=" + nowhere
                + "&from=alpha/app", null, null);
        HttpResponse<String> present = target.bearer(gusToken, "POST", "/v2/gamma/app/blobs/uploads/?mount=" + alphaLayer
                + "&from=alpha/app", null, null);
        assertThat(present.statusCode()).isEqualTo(absent.statusCode()).isEqualTo(202);
        assertThat(present.body()).isEqualTo(absent.body());
    }

    @Test
    void mountWorksWhenTheTokenCarriesPullOnTheSource() throws Exception {
        // The legitimate case: alice may pull alpha and push alpha/other, and asks for both, as docker does.
        String alice = target.token("alice", Target.PASSWORD, "repository:alpha/other:pull,push", "repository:alpha/app:pull");
        HttpResponse<String> r = target.bearer(alice, "POST", "/v2/alpha/other/blobs/uploads/?mount=" + alphaLayer
                + "&from=alpha/app", null, null);
        assertThat(r.statusCode()).isEqualTo(201);
    }

    @Test
    void mountNeedsPullOnTheSourceInTheTokenNotOnlyTheRightToGetOne() throws Exception {
        // alice may pull alpha/app, but this token does not say so: Distribution and Docker Hub refuse the mount too.
        String alice = target.token("alice", Target.PASSWORD, "repository:alpha/third:pull,push");
        HttpResponse<String> r = target.bearer(alice, "POST", "/v2/alpha/third/blobs/uploads/?mount=" + alphaLayer
                + "&from=alpha/app", null, null);
        assertThat(r.statusCode()).isEqualTo(202);
    }

    @Test
    void aManifestCannotReferenceABlobOfAnotherProject() throws Exception {
        String config = target.pushBlob(gusToken, "gamma/app", "{}".getBytes(StandardCharsets.UTF_8));
        byte[] manifest = Target.imageManifest(config, 2, alphaLayer, alphaLayerBytes.length).getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> r = target.bearer(gusToken, "PUT", "/v2/gamma/app/manifests/stolen", OCI_MANIFEST, manifest);
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(errorCode(r)).isEqualTo("MANIFEST_BLOB_UNKNOWN");
        assertNotReadableAsGamma(alphaLayer);
    }

    @Test
    void anIndexCannotListAManifestOfAnotherProject() throws Exception {
        String index = "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_INDEX + "\",\"manifests\":[{\"mediaType\":\""
                + OCI_MANIFEST + "\",\"digest\":\"" + alphaManifest + "\",\"size\":400}]}";
        HttpResponse<String> r = target.bearer(gusToken, "PUT", "/v2/gamma/app/manifests/stolen-index", OCI_INDEX,
                index.getBytes(StandardCharsets.UTF_8));
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(errorCode(r)).isEqualTo("MANIFEST_BLOB_UNKNOWN");
        HttpResponse<String> read = target.bearer(gusToken, "GET", "/v2/gamma/app/manifests/" + alphaManifest, null, null);
        assertThat(read.statusCode()).isEqualTo(404);
    }

    @Test
    void referrersOfADigestListOnlyTheRepositorysOwnManifests() throws Exception {
        // alice attaches an "sbom" to her image; gus asks gamma/app for the referrers of the same subject digest.
        String alice = target.token("alice", Target.PASSWORD, "repository:alpha/app:pull,push");
        String config = target.pushBlob(alice, "alpha/app", "{}".getBytes(StandardCharsets.UTF_8));
        String sbom = "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"artifactType\":\"application/vnd.example.sbom\","
                + "\"config\":{\"mediaType\":\"" + Target.EMPTY_CONFIG + "\",\"digest\":\"" + config + "\",\"size\":2},"
                + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"" + config + "\",\"size\":2}],"
                + "\"subject\":{\"mediaType\":\"" + OCI_MANIFEST + "\",\"digest\":\"" + alphaManifest + "\",\"size\":400}}";
        expect(201, target.bearer(alice, "PUT", "/v2/alpha/app/manifests/" + Target.digest(sbom.getBytes(StandardCharsets.UTF_8)),
                OCI_MANIFEST, sbom.getBytes(StandardCharsets.UTF_8)));
        HttpResponse<String> r = target.bearer(gusToken, "GET", "/v2/gamma/app/referrers/" + alphaManifest, null, null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(Target.JSON.readTree(r.body()).path("manifests")).isEmpty();
    }

    @Test
    void alphaIsUnreachableWithGammasToken() throws Exception {
        for (String path : new String[] {"/v2/alpha/app/manifests/secret", "/v2/alpha/app/blobs/" + alphaLayer,
                "/v2/alpha/app/tags/list", "/v2/alpha/app/referrers/" + alphaManifest}) {
            HttpResponse<String> r = target.bearer(gusToken, "GET", path, null, null);
            assertThat(r.statusCode()).as(path).isEqualTo(401);
            assertThat(r.body()).doesNotContain("secret\"", alphaLayer.substring(7, 20));
        }
        HttpResponse<String> catalog = target.bearer(gusToken, "GET", "/v2/_catalog", null, null);
        assertThat(catalog.body()).doesNotContain("alpha");
        // Uploading and deleting there is refused as well.
        assertThat(target.bearer(gusToken, "POST", "/v2/alpha/app/blobs/uploads/", null, null).statusCode()).isEqualTo(401);
        assertThat(target.bearer(gusToken, "DELETE", "/v2/alpha/app/manifests/" + alphaManifest, null, null).statusCode())
                .isEqualTo(401);
    }

    @Test
    void uploadingTheSameBytesIsNotRefusedButRevealsNothingMore() throws Exception {
        // Whoever has the bytes may push them; the answer is the ordinary one.
        String own = target.token("gus", Target.PASSWORD, "repository:gamma/own:pull,push");
        String pushed = target.pushBlob(own, "gamma/own", alphaLayerBytes);
        assertThat(pushed).isEqualTo(alphaLayer);
    }

    private static void assertNotReadableAsGamma(String digest) throws Exception {
        HttpResponse<String> get = target.bearer(gusToken, "GET", "/v2/gamma/app/blobs/" + digest, null, null);
        assertThat(get.statusCode()).isEqualTo(404);
        assertThat(errorCode(get)).isEqualTo("BLOB_UNKNOWN");
        HttpResponse<String> head = target.bearer(gusToken, "HEAD", "/v2/gamma/app/blobs/" + digest, null, null);
        assertThat(head.statusCode()).isEqualTo(404);
    }
}
