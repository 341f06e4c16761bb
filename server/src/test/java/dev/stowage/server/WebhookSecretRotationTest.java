package dev.stowage.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.stowage.core.access.Role;
import dev.stowage.webhooks.WebhookSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static dev.stowage.server.AuthenticatedRegistry.JSON;
import static dev.stowage.server.AuthenticatedRegistry.basic;
import static org.assertj.core.api.Assertions.assertThat;

/** Rotating a webhook's secret over the admin API: the new secret is answered once and signs what is sent from then on. */
class WebhookSecretRotationTest {
    record Received(String signature, byte[] body) {}

    @TempDir Path root;
    AuthenticatedRegistry registry;
    HttpServer receiver;
    final LinkedBlockingQueue<Received> received = new LinkedBlockingQueue<>();

    @BeforeEach
    void start() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        receiver.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            received.add(new Received(exchange.getRequestHeaders().getFirst("X-Stowage-Signature-256"), body));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        registry = AuthenticatedRegistry.in(root).user("owner").user("guest").project("team", false)
                .member("team", "owner", Role.ADMIN).member("team", "guest", Role.GUEST)
                .webhooks(WebhookSettings.defaults().withAllowedNetworks("127.0.0.1/32")
                        .withPolling(Duration.ofMillis(25), Duration.ofMillis(200)))
                .start();
    }

    @AfterEach
    void stop() {
        registry.close();
        receiver.stop(0);
    }

    static String hmac(String secret, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    }

    JsonNode createHook() throws Exception {
        HttpResponse<String> r = registry.call("POST", "/api/v1/projects/team/webhooks", basic("owner", "ownerpw"),
                "{\"targetUrl\":\"http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook\",\"events\":[\"PUSH\"]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return JSON.readTree(r.body());
    }

    @Test
    void aProjectAdministratorRotatesTheSecretAndPingsAreSignedWithTheNewOne() throws Exception {
        JsonNode hook = createHook();
        String id = hook.path("webhook").path("id").asText();
        String oldSecret = hook.path("secret").asText();

        HttpResponse<String> rotated = registry.call("POST", "/api/v1/projects/team/webhooks/" + id + "/rotate-secret",
                basic("owner", "ownerpw"), null);
        assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(200);
        assertThat(rotated.headers().firstValue("Cache-Control")).contains("no-store");
        String newSecret = JSON.readTree(rotated.body()).path("secret").asText();
        assertThat(newSecret).isNotEmpty().isNotEqualTo(oldSecret);
        assertThat(registry.call("GET", "/api/v1/projects/team/webhooks/" + id, basic("owner", "ownerpw"), null).body())
                .doesNotContain(newSecret);

        assertThat(registry.call("POST", "/api/v1/projects/team/webhooks/" + id + "/ping", basic("owner", "ownerpw"), null)
                .statusCode()).isEqualTo(202);
        Received ping = received.poll(30, TimeUnit.SECONDS);
        assertThat(ping).as("a ping arrived").isNotNull();
        assertThat(ping.signature()).isEqualTo(hmac(newSecret, ping.body())).isNotEqualTo(hmac(oldSecret, ping.body()));
    }

    @Test
    void aGuestCannotRotateTheSecret() throws Exception {
        String id = createHook().path("webhook").path("id").asText();
        HttpResponse<String> r = registry.call("POST", "/api/v1/projects/team/webhooks/" + id + "/rotate-secret",
                basic("guest", "guestpw"), null);
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).doesNotContain("secret\"");
    }

    @Test
    void rotatingAnUnknownWebhookIs404() throws Exception {
        HttpResponse<String> r = registry.call("POST", "/api/v1/projects/team/webhooks/nope/rotate-secret",
                basic("owner", "ownerpw"), null);
        assertThat(r.statusCode()).isEqualTo(404);
    }
}
