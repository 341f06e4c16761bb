package dev.stowage.server;

import dev.stowage.core.access.AccessController;
import dev.stowage.core.access.RegistryPolicy;
import dev.stowage.core.service.RegistryService;
import dev.stowage.core.service.ServiceSettings;
import dev.stowage.metadata.JdbcMetadataStore;
import dev.stowage.metadata.MetadataConfig;
import dev.stowage.storage.FileSystemBlobStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Behind a load balancer: the client address, scheme and host come from Forwarded / X-Forwarded-* only when the TCP
 * peer is a trusted proxy (here 127.0.0.1, the test client), and every user of the client address sees the same one.
 */
class TrustedProxiesTest {
    @TempDir Path root;
    JdbcMetadataStore metadata;
    RegistryServer server;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    void start(NetworkPolicy policy) throws Exception {
        metadata = JdbcMetadataStore.open(new MetadataConfig("jdbc:sqlite:" + root.resolve("m.db"), "", "", 0));
        RegistryService service = new RegistryService(new FileSystemBlobStore(root.resolve("blobs")), metadata,
                RegistryPolicy.PERMISSIVE, ServiceSettings.DEFAULTS, Clock.systemUTC());
        server = RegistryServer.start(ServerSettings.of("127.0.0.1", 0).withNetwork(policy), service, AccessController.OPEN);
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
        if (metadata != null) metadata.close();
    }

    int get(String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v2/"));
        if (headers.length > 0) request.headers(headers);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    static NetworkPolicy allowing(String network, String trustedProxies) {
        return NetworkPolicy.of(List.of(network), 0, 0).trustingProxies(List.of(trustedProxies));
    }

    @Test
    void aTrustedProxysXForwardedForIsCheckedAgainstTheAllowlist() throws Exception {
        start(allowing("10.0.0.0/8", "127.0.0.1/32"));
        assertThat(get("X-Forwarded-For", "10.1.2.3")).isEqualTo(200);
        assertThat(get("X-Forwarded-For", "192.0.2.7")).isEqualTo(403);
    }

    @Test
    void theRightMostXForwardedForAddressThatIsNoTrustedProxyIsTheClient() throws Exception {
        start(allowing("10.0.0.0/8", "127.0.0.1/32,172.16.0.0/12"));
        // The client may have written the left-most entries itself; the proxies appended the rest.
        assertThat(get("X-Forwarded-For", "10.9.9.9, 192.0.2.7, 172.16.0.5")).isEqualTo(403);
        assertThat(get("X-Forwarded-For", "192.0.2.7, 10.1.2.3, 172.16.0.5")).isEqualTo(200);
    }

    @Test
    void forwardedForWinsOverXForwardedFor() throws Exception {
        start(allowing("10.0.0.0/8", "127.0.0.1/32"));
        assertThat(get("Forwarded", "for=10.1.2.3;proto=https", "X-Forwarded-For", "192.0.2.7")).isEqualTo(200);
        assertThat(get("Forwarded", "for=192.0.2.7", "X-Forwarded-For", "10.1.2.3")).isEqualTo(403);
    }

    @Test
    void forwardedForTakesAQuotedIpv6AddressWithAPort() throws Exception {
        start(allowing("2001:db8::/32", "127.0.0.1/32"));
        assertThat(get("Forwarded", "for=\"[2001:db8::1]:4711\"")).isEqualTo(200);
        assertThat(get("Forwarded", "for=\"[2001:db9::1]:4711\"")).isEqualTo(403);
    }

    @Test
    void anUntrustedPeersForwardedHeadersAreIgnored() throws Exception {
        start(allowing("10.0.0.0/8", "10.255.0.1/32"));
        assertThat(get("X-Forwarded-For", "10.1.2.3")).isEqualTo(403);
        assertThat(get("Forwarded", "for=10.1.2.3")).isEqualTo(403);
    }

    @Test
    void malformedForwardedHeadersFromATrustedProxyFallBackToThePeer() throws Exception {
        start(allowing("127.0.0.0/8", "127.0.0.1/32"));
        assertThat(get("Forwarded", "for=\"[not-an-address")).isEqualTo(200);
        assertThat(get("Forwarded", "for=unknown")).isEqualTo(200);
        assertThat(get("Forwarded", ";;=,=;")).isEqualTo(200);
        assertThat(get("X-Forwarded-For", "example.com")).isEqualTo(200);
        assertThat(get("X-Forwarded-For", ",,,")).isEqualTo(200);
        assertThat(get("Forwarded", "for=_hidden")).isEqualTo(200);
    }

    @Test
    void theRateLimitCountsEachForwardedClientApart() throws Exception {
        start(NetworkPolicy.of(List.of(), 0.01, 1).trustingProxies(List.of("127.0.0.1/32")));
        assertThat(get("X-Forwarded-For", "192.0.2.1")).isEqualTo(200);
        assertThat(get("X-Forwarded-For", "192.0.2.1")).isEqualTo(429);
        assertThat(get("X-Forwarded-For", "192.0.2.2")).isEqualTo(200);
    }

    @Test
    void anUntrustedPeerCannotDodgeTheRateLimitWithForwardedHeaders() throws Exception {
        start(NetworkPolicy.of(List.of(), 0.01, 1).trustingProxies(List.of("10.255.0.1/32")));
        assertThat(get("X-Forwarded-For", "192.0.2.1")).isEqualTo(200);
        assertThat(get("X-Forwarded-For", "192.0.2.2")).isEqualTo(429);
    }
}
