package dev.stowage.server;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static dev.stowage.server.AuthenticatedRegistry.JSON;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Host header as an attacker sends it: the realm of the {@code WWW-Authenticate} challenge is built from it (when
 * {@code auth.realm} is unset), so a quote in it once injected challenge parameters. A request without Host, with two,
 * or with one that is not {@code host[:port]} is refused before anything reads it (RFC 9112 section 3.2).
 */
class HostHeaderTest {
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

    RawHttp.Response get(String head) throws Exception {
        try (RawHttp http = new RawHttp(registry.port())) {
            return http.send(head + "Connection: close\r\n\r\n").read();
        }
    }

    static void assertBadHost(RawHttp.Response r, String message) throws Exception {
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.header("WWW-Authenticate")).isNull();
        assertThat(r.header("Content-Type")).startsWith("application/json");
        assertThat(JSON.readTree(r.body()).path("errors").path(0).path("code").asText()).isEqualTo("UNSUPPORTED");
        assertThat(JSON.readTree(r.body()).path("errors").path(0).path("message").asText()).isEqualTo(message);
    }

    @ParameterizedTest
    @ValueSource(strings = {"evil.com\",foo=\"bar", "evil.com/a?b#", "evil.com\\x", "user@evil.com", "evil.com:80:80",
            "evil.com:99999", "evil.com:", "[::1", "[zz::1]", "evil com", ""})
    void aMalformedHostIs400WithoutAChallenge(String host) throws Exception {
        assertBadHost(get("GET /v2/ HTTP/1.1\r\nHost: " + host + "\r\n"), "the Host header must be host[:port]");
    }

    @Test
    void anHttp11RequestWithoutHostIs400() throws Exception {
        assertBadHost(get("GET /v2/ HTTP/1.1\r\n"), "an HTTP/1.1 request needs exactly one Host header");
    }

    @Test
    void twoHostHeadersAre400() throws Exception {
        assertBadHost(get("GET /v2/ HTTP/1.1\r\nHost: registry.example\r\nHost: evil.com\r\n"),
                "an HTTP/1.1 request needs exactly one Host header");
    }

    @ParameterizedTest
    @ValueSource(strings = {"registry.example", "registry.example:5000", "127.0.0.1:5000", "[::1]:5000", "[2001:db8::1]",
            "my_host.local"})
    void aValidHostNamesTheRealm(String host) throws Exception {
        RawHttp.Response r = get("GET /v2/ HTTP/1.1\r\nHost: " + host + "\r\n");
        assertThat(r.status()).as(r.body()).isEqualTo(401);
        assertThat(r.header("WWW-Authenticate"))
                .isEqualTo("Bearer realm=\"http://" + host + "/token\",service=\"stowage\"");
    }

    @Test
    void anHttp10RequestWithoutHostGetsTheListeningAddressAsRealm() throws Exception {
        RawHttp.Response r = get("GET /v2/ HTTP/1.0\r\n");
        assertThat(r.status()).as(r.body()).isEqualTo(401);
        assertThat(r.header("WWW-Authenticate"))
                .isEqualTo("Bearer realm=\"http://127.0.0.1:" + registry.port() + "/token\",service=\"stowage\"");
    }
}
