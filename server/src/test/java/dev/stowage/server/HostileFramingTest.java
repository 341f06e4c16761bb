package dev.stowage.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** Request framing an attacker would send: malformed lengths and broken chunked bodies, over raw sockets. */
class HostileFramingTest extends OpenRegistryTest {
    static final ObjectMapper JSON = new ObjectMapper();

    RawHttp raw() throws Exception {
        return new RawHttp(registry.server.port());
    }

    static String errorCode(RawHttp.Response r) throws Exception {
        JsonNode json = JSON.readTree(r.body());
        return json.path("errors").path(0).path("code").asText();
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "0x10", "3, 3", "9223372036854775808", "-1", "1e3", " "})
    void malformedContentLengthIs400SizeInvalid(String contentLength) throws Exception {
        try (RawHttp c = raw()) {
            RawHttp.Response r = c.send("POST /v2/a/b/blobs/uploads/ HTTP/1.1\r\nHost: x\r\nContent-Length: " + contentLength
                    + "\r\n\r\nabc").read();
            assertThat(r.status()).isEqualTo(400);
            assertThat(errorCode(r)).isEqualTo("SIZE_INVALID");
            assertThat(r.header("Connection")).isEqualTo("close");
        }
    }

    @Test
    void twoDifferentContentLengthsAre400SizeInvalid() throws Exception {
        try (RawHttp c = raw()) {
            RawHttp.Response r = c.send("POST /v2/a/b/blobs/uploads/ HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
                    + "Content-Length: 4\r\n\r\nabcd").read();
            assertThat(r.status()).isEqualTo(400);
            assertThat(errorCode(r)).isEqualTo("SIZE_INVALID");
        }
    }

    @Test
    void malformedHttpClosesTheConnectionAfterTheAnswer() throws Exception {
        try (RawHttp c = raw()) {
            RawHttp.Response r = c.send("POST /v2/a/b/blobs/uploads/ HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(400);
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void manifestPutDeclaringMoreThanTheLimitIs413WithoutWaitingForTheBody() throws Exception {
        try (RawHttp c = raw()) {
            RawHttp.Response r = c.send("PUT /v2/a/b/manifests/latest HTTP/1.1\r\nHost: x\r\n"
                    + "Content-Type: application/vnd.oci.image.manifest.v1+json\r\nContent-Length: 9000000000000\r\n\r\n{").read();
            assertThat(r.status()).isEqualTo(413);
            assertThat(errorCode(r)).isEqualTo("SIZE_INVALID");
        }
    }

    String startUpload() throws Exception {
        HttpResponse<byte[]> r = registry.post("/v2/a/b/blobs/uploads/", new byte[0]);
        assertThat(r.statusCode()).isEqualTo(202);
        return r.headers().firstValue("Location").orElseThrow();
    }

    /** Sends a chunked PATCH whose encoding breaks after one good chunk; answers the response. */
    RawHttp.Response patchChunked(String location, String chunkedBody) throws Exception {
        try (RawHttp c = raw()) {
            return c.send("PATCH " + location + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n" + chunkedBody).read();
        }
    }

    void assertUploadStillAtZero(String location) throws Exception {
        HttpResponse<byte[]> status = registry.get(location);
        assertThat(status.statusCode()).isEqualTo(204);
        assertThat(status.headers().firstValue("Range")).hasValue("0-0");
    }

    /** A PATCH whose chunked encoding breaks is 400 UNSUPPORTED and leaves the upload as it was. */
    void assertBrokenChunkingIsRefused(String chunkedBody) throws Exception {
        String location = startUpload();
        RawHttp.Response r = patchChunked(location, chunkedBody);
        assertThat(r.status()).isEqualTo(400);
        assertThat(errorCode(r)).isEqualTo("UNSUPPORTED");
        assertUploadStillAtZero(location);
    }

    @Test
    void wellFormedChunkedPatchAdvancesTheUpload() throws Exception {
        String location = startUpload();
        RawHttp.Response r = patchChunked(location, "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
        assertThat(r.status()).isEqualTo(202);
        assertThat(r.header("Range")).isEqualTo("0-10");
    }

    @Test
    void badChunkSizeLineIs400AndTheUploadUnchanged() throws Exception {
        assertBrokenChunkingIsRefused("5\r\nhello\r\nzz\r\nmore\r\n0\r\n\r\n");
    }

    @Test
    void garbageBetweenChunksIs400AndTheUploadUnchanged() throws Exception {
        assertBrokenChunkingIsRefused("5\r\nhelloGARBAGE\r\n5\r\nworld\r\n0\r\n\r\n");
    }

    @Test
    void overflowingChunkSizeIs400AndTheUploadUnchanged() throws Exception {
        assertBrokenChunkingIsRefused("5\r\nhello\r\nFFFFFFFFFFFFFFFFFFFF\r\nx\r\n0\r\n\r\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"gzip", "chunked, gzip", "xchunked", "identity"})
    void aTransferEncodingOtherThanChunkedIs400AndTheUploadUnchanged(String encoding) throws Exception {
        String location = startUpload();
        try (RawHttp c = raw()) {
            RawHttp.Response r = c.send("PATCH " + location + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\n"
                    + "Transfer-Encoding: " + encoding + "\r\n\r\n5\r\nhello\r\n0\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.header("Connection")).isEqualTo("close");
        }
        assertUploadStillAtZero(location);
    }
}
