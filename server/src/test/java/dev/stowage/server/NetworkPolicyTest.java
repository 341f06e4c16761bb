package dev.stowage.server;

import dev.stowage.core.access.AccessController;
import dev.stowage.core.access.Cidr;
import dev.stowage.core.access.RegistryPolicy;
import dev.stowage.core.service.RegistryService;
import dev.stowage.core.service.ServiceSettings;
import dev.stowage.metadata.JdbcMetadataStore;
import dev.stowage.metadata.MetadataConfig;
import dev.stowage.storage.FileSystemBlobStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NetworkPolicyTest {
    @TempDir Path root;
    JdbcMetadataStore metadata;
    RegistryServer server;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    RegistryServer start(NetworkPolicy policy) throws Exception {
        metadata = JdbcMetadataStore.open(new MetadataConfig("jdbc:sqlite:" + root.resolve("m.db"), "", "", 0));
        RegistryService service = new RegistryService(new FileSystemBlobStore(root.resolve("blobs")), metadata,
                RegistryPolicy.PERMISSIVE, ServiceSettings.DEFAULTS, Clock.systemUTC());
        server = RegistryServer.start(ServerSettings.of("127.0.0.1", 0).withNetwork(policy), service, AccessController.OPEN);
        return server;
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
        if (metadata != null) metadata.close();
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void cidrsMatchIpv4AndIpv6Networks() throws Exception {
        assertThat(Cidr.parse("10.0.0.0/8").contains(InetAddress.getByName("10.20.30.40"))).isTrue();
        assertThat(Cidr.parse("10.0.0.0/8").contains(InetAddress.getByName("11.0.0.1"))).isFalse();
        assertThat(Cidr.parse("192.168.1.128/25").contains(InetAddress.getByName("192.168.1.200"))).isTrue();
        assertThat(Cidr.parse("192.168.1.128/25").contains(InetAddress.getByName("192.168.1.100"))).isFalse();
        assertThat(Cidr.parse("127.0.0.1").contains(InetAddress.getByName("127.0.0.1"))).isTrue();
        assertThat(Cidr.parse("fd00::/8").contains(InetAddress.getByName("fd12::1"))).isTrue();
        assertThat(Cidr.parse("fd00::/8").contains(InetAddress.getByName("10.0.0.1"))).isFalse();
        assertThatThrownBy(() -> Cidr.parse("example.com/8")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void addressesOutsideTheAllowlistAreDenied() throws Exception {
        start(NetworkPolicy.of(List.of("10.0.0.0/8"), 0, 0));
        HttpResponse<String> r = get("/v2/");
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).contains("\"code\":\"DENIED\"");
    }

    @Test
    void addressesInsideTheAllowlistPass() throws Exception {
        start(NetworkPolicy.of(List.of("10.0.0.0/8", "127.0.0.0/8"), 0, 0));
        assertThat(get("/v2/").statusCode()).isEqualTo(200);
    }

    @Test
    void clientsPastTheirRateGet429WithRetryAfter() throws Exception {
        start(NetworkPolicy.of(List.of(), 0.5, 3));
        for (int i = 0; i < 3; i++) assertThat(get("/v2/").statusCode()).isEqualTo(200);
        HttpResponse<String> limited = get("/v2/");
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.body()).contains("\"code\":\"TOOMANYREQUESTS\"");
        assertThat(limited.headers().firstValue("Retry-After")).hasValueSatisfying(v -> assertThat(Long.parseLong(v)).isBetween(1L, 2L));
    }

    @Test
    void anIpv6ClientRotatingThroughItsSlash64SharesOneRate() throws Exception {
        NetworkPolicy policy = NetworkPolicy.of(List.of(), 0.001, 3);
        for (int host = 1; host <= 3; host++) policy.check(java.net.InetAddress.getByName("2001:db8:3::" + host));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> policy.check(java.net.InetAddress.getByName("2001:db8:3::4")))
                .isInstanceOf(dev.stowage.core.RegistryException.class).hasMessageContaining("too many requests");
        policy.check(java.net.InetAddress.getByName("2001:db8:4::1")); // another /64 has its own
    }
}
