package dev.stowage.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowage.core.access.Account;
import dev.stowage.core.access.RegistryPolicy;
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
import dev.stowage.metadata.MetadataConfig;
import dev.stowage.storage.FileSystemBlobStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Endpoints whose bodies are small answer 413 from an enormous Content-Length alone, at once, instead of waiting
 * for a body that will never be accepted (the client sends only the headers here; a server that waited would
 * let the read time out).
 */
class DeclaredLengthLimitTest {
    static final PasswordHasher FAST = new PasswordHasher(1024, 1, 1);
    static final String HUGE = "9000000000000000000";

    @TempDir Path root;
    JdbcMetadataStore metadata;
    RegistryServer server;

    @BeforeEach
    void start() throws Exception {
        metadata = JdbcMetadataStore.open(new MetadataConfig("jdbc:sqlite:" + root.resolve("m.db"), "", "", 0));
        JdbcIdentityStore identities = new JdbcIdentityStore(metadata);
        identities.createAccount(new Account("admin", FAST.hash("adminpw".toCharArray()), true, false, Instant.now()));
        AuthSettings auth = new AuthSettings("stowage", Optional.empty(), Duration.ofMinutes(5));
        SigningKeys signingKeys = SigningKeys.shared(identities, Clock.systemUTC(), Duration.ofHours(1));
        RegistryTokens tokens = new RegistryTokens(signingKeys, "stowage", "stowage", Duration.ofMinutes(5), Clock.systemUTC());
        RegistryService service = new RegistryService(new FileSystemBlobStore(root.resolve("blobs")), metadata,
                RegistryPolicy.PERMISSIVE, ServiceSettings.DEFAULTS, Clock.systemUTC());
        TokenGrants grants = new TokenGrants(identities, FAST, tokens);
        server = RegistryServer.start(ServerSettings.of("127.0.0.1", 0), service,
                new TokenAccessController(tokens, grants, identities, auth), Optional.of(grants),
                Optional.of(new AccountService(identities, FAST, Clock.systemUTC(), Optional.of(signingKeys))));
    }

    @AfterEach
    void stop() {
        server.close();
        metadata.close();
    }

    RawHttp.Response postHeadersOnly(String path, String contentType, String extraHeaders) throws Exception {
        try (RawHttp c = new RawHttp(server.port(), 5_000)) {
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
