package dev.stowage.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stowage.core.access.Role;
import dev.stowage.webhooks.WebhookSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.http.HttpResponse;
import java.nio.file.Path;

import static dev.stowage.server.AuthenticatedRegistry.JSON;
import static dev.stowage.server.AuthenticatedRegistry.basic;
import static org.assertj.core.api.Assertions.assertThat;

/** A project administrator's webhook targets, over the admin API: internal addresses are refused (issue 8, hole 6). */
class WebhookTargetTest {
    @TempDir Path root;
    AuthenticatedRegistry registry;

    @BeforeEach
    void start() throws Exception {
        registry = AuthenticatedRegistry.in(root).user("owner").project("team", false).member("team", "owner", Role.ADMIN)
                .webhooks(WebhookSettings.defaults()) // no network allowed
                .start();
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    HttpResponse<String> asOwner(String method, String path, String body) throws Exception {
        return registry.call(method, path, basic("owner", "ownerpw"), body);
    }

    static JsonNode error(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body()).path("errors").path(0);
    }

    @Test
    void aWebhookToTheRegistrysOwnLoopbackPortIsRefusedAtCreation() throws Exception {
        HttpResponse<String> r = asOwner("POST", "/api/v1/projects/team/webhooks",
                "{\"targetUrl\":\"http://127.0.0.1:" + registry.port() + "/api/v1/users\",\"events\":[\"push\"]}");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(error(r).path("code").asText()).isEqualTo("UNSUPPORTED");
        assertThat(error(r).path("message").asText()).isEqualTo("target URL not allowed: 127.0.0.1 is a loopback address; "
                + "webhooks reach only public addresses unless webhooks.allowedNetworks allows the network");
        assertThat(JSON.readTree(asOwner("GET", "/api/v1/projects/team/webhooks", "").body())).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://169.254.169.254/latest/meta-data/", "http://localhost:5000/", "http://[::1]/",
            "http://10.0.0.5:9200/", "http://[::ffff:192.168.0.1]/", "gopher://example.com/"})
    void internalAndNonHttpTargetsAreRefusedAtCreation(String target) throws Exception {
        HttpResponse<String> r = asOwner("POST", "/api/v1/projects/team/webhooks",
                "{\"targetUrl\":\"" + target + "\",\"events\":[\"push\"]}");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(error(r).path("code").asText()).isEqualTo("UNSUPPORTED");
    }

    @Test
    void aWebhookCannotBeMovedToAnInternalTargetLater() throws Exception {
        HttpResponse<String> created = asOwner("POST", "/api/v1/projects/team/webhooks",
                "{\"targetUrl\":\"https://198.51.100.7/hook\",\"events\":[\"push\"]}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String id = JSON.readTree(created.body()).path("webhook").path("id").asText();

        HttpResponse<String> moved = asOwner("PATCH", "/api/v1/projects/team/webhooks/" + id,
                "{\"targetUrl\":\"http://169.254.169.254/latest/meta-data/\"}");

        assertThat(moved.statusCode()).as(moved.body()).isEqualTo(400);
        assertThat(error(moved).path("message").asText()).startsWith("target URL not allowed: 169.254.169.254 is a link-local address");
        assertThat(JSON.readTree(asOwner("GET", "/api/v1/projects/team/webhooks/" + id, "").body()).path("targetUrl").asText())
                .isEqualTo("https://198.51.100.7/hook");
    }
}
