package dev.stowage.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowage.core.access.Account;
import dev.stowage.core.access.Project;
import dev.stowage.core.access.RegistryPolicy;
import dev.stowage.core.access.Role;
import dev.stowage.core.event.EventPublisher;
import dev.stowage.core.service.RegistryService;
import dev.stowage.core.service.ServiceSettings;
import dev.stowage.identity.AccountService;
import dev.stowage.identity.AuthSettings;
import dev.stowage.identity.PasswordHasher;
import dev.stowage.identity.RegistryTokens;
import dev.stowage.identity.SigningKeys;
import dev.stowage.identity.TokenAccessController;
import dev.stowage.identity.TokenGrants;
import dev.stowage.metadata.JdbcIdentityStore;
import dev.stowage.metadata.JdbcMetadataStore;
import dev.stowage.metadata.JdbcWebhookStore;
import dev.stowage.metadata.MetadataConfig;
import dev.stowage.storage.FileSystemBlobStore;
import dev.stowage.webhooks.WebhookDispatcher;
import dev.stowage.webhooks.WebhookService;
import dev.stowage.webhooks.WebhookSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** A project administrator's webhook targets, over the admin API: internal addresses are refused (issue 8, hole 6). */
class WebhookTargetTest {
    static final PasswordHasher FAST = new PasswordHasher(1024, 1, 1);
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path root;
    JdbcMetadataStore metadata;
    WebhookDispatcher dispatcher;
    RegistryServer server;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void start() throws Exception {
        metadata = JdbcMetadataStore.open(new MetadataConfig("jdbc:sqlite:" + root.resolve("m.db"), "", "", 0));
        JdbcIdentityStore identities = new JdbcIdentityStore(metadata);
        Instant now = Instant.now();
        identities.createAccount(new Account("owner", FAST.hash("ownerpw".toCharArray()), false, false, now));
        identities.createProject(new Project("team", false, now));
        identities.setMember("team", "owner", Role.ADMIN);
        SigningKeys signingKeys = SigningKeys.shared(identities, Clock.systemUTC(), Duration.ofHours(1));
        RegistryTokens tokens = new RegistryTokens(signingKeys, "stowage", "stowage", Duration.ofMinutes(5), Clock.systemUTC());
        RegistryService service = new RegistryService(new FileSystemBlobStore(root.resolve("blobs")), metadata,
                RegistryPolicy.PERMISSIVE, ServiceSettings.DEFAULTS, Clock.systemUTC());
        TokenGrants grants = new TokenGrants(identities, FAST, tokens);
        JdbcWebhookStore webhookStore = new JdbcWebhookStore(metadata);
        dispatcher = new WebhookDispatcher(webhookStore, WebhookSettings.defaults(), Clock.systemUTC()); // no network allowed
        server = RegistryServer.start(ServerSettings.of("127.0.0.1", 0), service,
                new TokenAccessController(tokens, grants, identities, new AuthSettings("stowage", Optional.empty(), Duration.ofMinutes(5))),
                Optional.of(grants), Optional.of(new AccountService(identities, FAST, Clock.systemUTC(), Optional.of(signingKeys))),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.of(new WebhookService(webhookStore, dispatcher, Clock.systemUTC())), EventPublisher.NOOP);
    }

    @AfterEach
    void stop() {
        server.close();
        dispatcher.close();
        metadata.close();
    }

    HttpResponse<String> asOwner(String method, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("owner:ownerpw".getBytes()))
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode error(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body()).path("errors").path(0);
    }

    @Test
    void aWebhookToTheRegistrysOwnLoopbackPortIsRefusedAtCreation() throws Exception {
        HttpResponse<String> r = asOwner("POST", "/api/v1/projects/team/webhooks",
                "{\"targetUrl\":\"http://127.0.0.1:" + server.port() + "/api/v1/users\",\"events\":[\"push\"]}");

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
