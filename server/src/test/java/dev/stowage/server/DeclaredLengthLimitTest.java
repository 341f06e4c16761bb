package dev.stowage.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Endpoints whose bodies are small answer 413 from an enormous Content-Length alone, at once, instead of waiting
 * for a body that will never be accepted (the client sends only the headers here; a server that waited would
 * let the read time out).
 */
class DeclaredLengthLimitTest {
    static final String HUGE = "9000000000000000000";

    @TempDir Path root;
    AuthenticatedRegistry registry;

    @BeforeEach
    void start() throws Exception {
        registry = AuthenticatedRegistry.in(root).admin("admin").start();
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    RawHttp.Response postHeadersOnly(String path, String contentType, String extraHeaders) throws Exception {
        try (RawHttp c = new RawHttp(registry.port(), 5_000)) {
            return c.send("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: " + contentType + "\r\n" + extraHeaders
                    + "Content-Length: " + HUGE + "\r\n\r\n").read();
        }
    }

    @Test
    void tokenFormWithAnEnormousContentLengthIs413AtOnce() throws Exception {
        RawHttp.Response r = postHeadersOnly("/token", "application/x-www-form-urlencoded", "");
        assertThat(r.status()).isEqualTo(413);
        assertThat(new ObjectMapper().readTree(r.body()).path("errors").path(0).path("code").asText()).isEqualTo("SIZE_INVALID");
    }

    @Test
    void adminApiJsonWithAnEnormousContentLengthIs413AtOnce() throws Exception {
        String basic = Base64.getEncoder().encodeToString("admin:adminpw".getBytes());
        RawHttp.Response r = postHeadersOnly("/api/v1/users", "application/json", "Authorization: Basic " + basic + "\r\n");
        assertThat(r.status()).isEqualTo(413);
        assertThat(new ObjectMapper().readTree(r.body()).path("errors").path(0).path("code").asText()).isEqualTo("SIZE_INVALID");
    }
}
