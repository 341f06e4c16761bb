package dev.stowage.it.adversarial;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import static dev.stowage.it.adversarial.Target.OCI_MANIFEST;
import static dev.stowage.it.adversarial.Target.errorCode;
import static dev.stowage.it.adversarial.Target.expect;
import static dev.stowage.it.adversarial.Target.status;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile HTTP framing and hostile values: malformed lengths, broken chunked bodies, control characters meant for
 * the log, ranges and durations that overflow, JSON of the wrong type or depth. Each gets a 4xx with the error body,
 * and nothing it touched changes.
 */
class HostileInputAttackTest extends AttackTest {
    static String push;

    @BeforeAll
    static void start() throws Exception {
        push = target.token("gus", Target.PASSWORD, "repository:gamma/app:pull,push");
    }

    @Test
    void aMalformedContentLengthIsABadRequest() throws Exception {
        for (String length : new String[] {"abc", "0x10", "3, 3", "9223372036854775808", "-1", "1e3"}) {
            String response = target.raw("POST /token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    + "Content-Length: " + length + "\r\n\r\nabc");
            assertThat(status(response)).as("Content-Length: " + length).isEqualTo(400);
            assertThat(response).as("Content-Length: " + length).contains("\"errors\"");
        }
        String twice = target.raw("POST /token HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd");
        assertThat(status(twice)).isEqualTo(400);
    }

    @Test
    void anEnormousBodyAnnouncedToTheTokenEndpointIsRefusedAtOnce() throws Exception {
        try (Socket s = target.socket()) {
            s.setSoTimeout(5_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    + "Content-Length: 1000000000000\r\n\r\ngrant_type=password").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String response = Target.readResponse(s.getInputStream());
            assertThat(status(response)).isEqualTo(413);
        }
    }

    @Test
    void aBrokenChunkedBodyIsRefusedAndTheUploadKeepsItsOffset() throws Exception {
        HttpResponse<String> started = expect(202, target.bearer(push, "POST", "/v2/gamma/app/blobs/uploads/", null, null));
        String location = started.headers().firstValue("Location").orElseThrow();
        expect(202, target.bearer(push, "PATCH", location, "application/octet-stream", "hello".getBytes()));
        for (String broken : new String[] {"5\r\nworld\r\nZZ-not-a-size\r\nxx\r\n0\r\n\r\n",
                "5\r\nworld\r\ngarbage between chunks\r\n0\r\n\r\n", "FFFFFFFFFFFFFFFFFFFF\r\nworld\r\n0\r\n\r\n"}) {
            String response = target.raw("PATCH " + location + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + push
                    + "\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n" + broken);
            assertThat(status(response)).as(broken).isEqualTo(400);
            HttpResponse<String> state = expect(204, target.bearer(push, "GET", location, null, null));
            assertThat(state.headers().firstValue("Range").orElseThrow()).as(broken).isEqualTo("0-4");
        }
    }

    @Test
    void controlCharactersNeverReachTheLogRaw() throws Exception {
        String marker = "attack" + System.nanoTime();
        target.raw("GET /v2/" + marker + "\u001b[2J/x HTTP/1.1\r\nHost: x\r\nUser-Agent: " + marker
                + "\u001b[31mred\u0007 200 999 \"forged\"\r\n\r\n");
        target.raw("GET /v2/" + marker + "%1b%5b2J%0d%0aforged/manifests/x HTTP/1.1\r\nHost: x\r\n\r\n");
        Thread.sleep(500);
        String log = target.stowage.log();
        assertThat(log).contains(marker);
        assertThat(log).doesNotContain("\u001b", "\u0007");
        assertThat(log.lines().filter(l -> l.startsWith("forged"))).isEmpty();
    }

    @Test
    void aSuffixRangeLongerThanTheBlobSendsTheWholeBlob() throws Exception {
        byte[] content = "the whole blob".getBytes(StandardCharsets.UTF_8);
        String digest = target.pushBlob(push, "gamma/app", content);
        for (String range : new String[] {"bytes=-99999999999", "bytes=-99999999999999999999", "bytes=-" + content.length}) {
            HttpResponse<String> r = Target.send(target.request("/v2/gamma/app/blobs/" + digest)
                    .header("Authorization", "Bearer " + push).header("Range", range).GET());
            assertThat(r.statusCode()).as(range).isIn(200, 206);
            assertThat(r.body()).as(range).isEqualTo("the whole blob");
        }
    }

    @Test
    void aManifestWithNullOrMistypedFieldsIsInvalid() throws Exception {
        String config = target.pushBlob(push, "gamma/app", "{}".getBytes(StandardCharsets.UTF_8));
        String head = "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",";
        String configDescriptor = "\"config\":{\"mediaType\":\"" + Target.EMPTY_CONFIG + "\",\"digest\":\"" + config + "\",\"size\":2}";
        for (String body : new String[] {head + configDescriptor + ",\"layers\":null}",
                head + "\"config\":null,\"layers\":[]}",
                head + configDescriptor + ",\"layers\":[null]}",
                head + configDescriptor + ",\"layers\":[\"x\"]}",
                head + configDescriptor + ",\"layers\":{}}",
                head + "\"config\":{\"mediaType\":\"a/b\",\"digest\":\"" + config + "\",\"size\":\"2\"},\"layers\":[]}",
                head + "\"config\":{\"mediaType\":\"a/b\",\"digest\":\"" + config + "\",\"size\":-2},\"layers\":[]}"}) {
            HttpResponse<String> r = target.bearer(push, "PUT", "/v2/gamma/app/manifests/bad", OCI_MANIFEST,
                    body.getBytes(StandardCharsets.UTF_8));
            assertThat(r.statusCode()).as(body).isEqualTo(400);
            assertThat(errorCode(r)).as(body).isEqualTo("MANIFEST_INVALID");
        }
        assertThat(target.bearer(push, "GET", "/v2/gamma/app/manifests/bad", null, null).statusCode()).isEqualTo(404);
    }

    @Test
    void deeplyNestedJsonIsRefusedNotACrash() throws Exception {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        HttpResponse<String> manifest = target.bearer(push, "PUT", "/v2/gamma/app/manifests/deep", OCI_MANIFEST,
                deep.getBytes(StandardCharsets.US_ASCII));
        assertThat(manifest.statusCode()).isEqualTo(400);
        assertThat(errorCode(manifest)).isEqualTo("MANIFEST_INVALID");
        // Within the admin API's 64 KiB body limit, 20,000 levels deep.
        HttpResponse<String> admin = target.admin("POST", "/api/v1/projects", "{\"name\":" + "[".repeat(20_000)
                + "]".repeat(20_000) + "}");
        assertThat(admin.statusCode()).isEqualTo(400);
    }

    @Test
    void aReferenceThatIsNeitherTagNorDigestIsAnUnknownManifest() throws Exception {
        for (String reference : new String[] {"-bad", "a%20b", "sha256:short", "x".repeat(200)}) {
            HttpResponse<String> get = target.bearer(push, "GET", "/v2/gamma/app/manifests/" + reference, null, null);
            assertThat(get.statusCode()).as(reference).isEqualTo(404);
            assertThat(errorCode(get)).as(reference).isEqualTo("MANIFEST_UNKNOWN");
            assertThat(target.bearer(push, "HEAD", "/v2/gamma/app/manifests/" + reference, null, null).statusCode())
                    .as(reference).isEqualTo(404);
        }
        HttpResponse<String> put = target.bearer(push, "PUT", "/v2/gamma/app/manifests/-bad", OCI_MANIFEST, "{}".getBytes());
        assertThat(put.statusCode()).isEqualTo(400);
        assertThat(errorCode(put)).isEqualTo("TAG_INVALID");
    }

    @Test
    void durationsThatOverflowOrAreAbsurdAreRefused() throws Exception {
        for (String expiresIn : new String[] {"99999999999999d", "PT9999999999999H", "1000000000d", "-5d", "PT-5H"}) {
            HttpResponse<String> token = target.basicCall("gus", Target.PASSWORD, "POST", "/api/v1/users/gus/tokens",
                    "{\"name\":\"t\",\"expiresIn\":\"" + expiresIn + "\"}");
            assertThat(token.statusCode()).as(expiresIn).isEqualTo(400);
            assertThat(token.body()).as(expiresIn).contains("\"errors\"");
            HttpResponse<String> robot = target.admin("POST", "/api/v1/robots", "{\"name\":\"r" + Math.abs(expiresIn.hashCode())
                    + "\",\"permissions\":[{\"repository\":\"gamma/**\",\"actions\":[\"pull\"]}],\"expiresIn\":\"" + expiresIn + "\"}");
            assertThat(robot.statusCode()).as(expiresIn).isEqualTo(400);
        }
        HttpResponse<String> gc = target.admin("POST", "/api/v1/gc", "{\"dryRun\":true,\"grace\":\"99999999999999d\"}");
        assertThat(gc.statusCode()).isEqualTo(400);
    }

    @Test
    void jsonValuesOfTheWrongTypeAreRefusedNotCoerced() throws Exception {
        HttpResponse<String> gc = target.admin("POST", "/api/v1/gc", "{\"dryRun\":\"yes\"}");
        assertThat(gc.statusCode()).isEqualTo(400);
        assertThat(gc.body()).contains("dryRun");
        HttpResponse<String> admin = target.admin("POST", "/api/v1/users",
                "{\"username\":\"coerced\",\"password\":\"" + Target.PASSWORD + "\",\"systemAdmin\":1}");
        assertThat(admin.statusCode()).isEqualTo(400);
        assertThat(target.admin("GET", "/api/v1/users/coerced", null).statusCode()).isEqualTo(404);
        HttpResponse<String> visibility = target.admin("PATCH", "/api/v1/projects/beta", "{\"public\":\"true\"}");
        assertThat(visibility.statusCode()).isEqualTo(400);
        assertThat(expect(200, target.admin("GET", "/api/v1/projects/beta", null)).body()).contains("\"public\":false");
        HttpResponse<String> member = target.admin("PUT", "/api/v1/projects/beta/members/gus", "{\"role\":[\"admin\"]}");
        assertThat(member.statusCode()).isEqualTo(400);
    }

    @Test
    void headersTooLargeAre431AndTheServerStaysUp() throws Exception {
        String response = target.raw("GET /v2/ HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(70_000) + "\r\n\r\n");
        assertThat(status(response)).isEqualTo(431);
        assertThat(target.raw("GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 401");
    }

}
