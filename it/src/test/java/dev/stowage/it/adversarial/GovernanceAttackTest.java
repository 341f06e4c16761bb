package dev.stowage.it.adversarial;

import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import static dev.stowage.it.adversarial.Target.errorCode;
import static dev.stowage.it.adversarial.Target.expect;
import static org.assertj.core.api.Assertions.assertThat;

/** A user with delete rights tries to break what governance protects by a route the rule does not name. */
class GovernanceAttackTest extends AttackTest {
    @Test
    void theBlobsOfAnImmutableImageCannotBeDeletedFromUnderIt() throws Exception {
        expect(201, target.basicCall("alice", Target.PASSWORD, "POST", "/api/v1/projects/alpha/immutable-rules",
                "{\"scope_selectors\":{\"repository\":[{\"kind\":\"doublestar\",\"decoration\":\"repoMatches\",\"pattern\":\"**\"}]},"
                        + "\"tag_selectors\":[{\"kind\":\"doublestar\",\"decoration\":\"matches\",\"pattern\":\"v*\"}]}"));
        String token = target.token("alice", Target.PASSWORD, "repository:alpha/frozen:pull,push,delete");
        byte[] layer = "a layer of a released image".getBytes(StandardCharsets.UTF_8);
        target.pushImage(token, "alpha/frozen", "v1", layer);
        String layerDigest = Target.digest(layer);

        HttpResponse<String> refused = target.bearer(token, "DELETE", "/v2/alpha/frozen/blobs/" + layerDigest, null, null);
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(errorCode(refused)).isEqualTo("DENIED");
        assertThat(refused.body()).contains("v1", "immutable");
        HttpResponse<String> stillThere = target.bearer(token, "GET", "/v2/alpha/frozen/blobs/" + layerDigest, null, null);
        assertThat(stillThere.statusCode()).isEqualTo(200);
        assertThat(stillThere.body()).isEqualTo("a layer of a released image");

        // A blob no protected image uses is deleted as before.
        String loose = target.pushBlob(token, "alpha/frozen", "not part of any image".getBytes(StandardCharsets.UTF_8));
        assertThat(target.bearer(token, "DELETE", "/v2/alpha/frozen/blobs/" + loose, null, null).statusCode()).isEqualTo(202);
    }
}
