package dev.stowage.metadata;

import dev.stowage.core.access.Account;
import dev.stowage.core.event.RegistryEvent;
import dev.stowage.core.event.Webhook;
import dev.stowage.core.spi.SecretSealer;
import dev.stowage.core.spi.StoredSigningKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The secrets the stores must keep readable are sealed with a key outside the database. */
class SecretSealingTest {
    private static final String PRIVATE_JWK = "{\"kty\":\"EC\",\"d\":\"PRIVATE-PART-d-value\",\"kid\":\"k1\"}";
    private static final String HOOK_SECRET = "webhook-hmac-secret-0123456789";
    private static final String TOTP_SECRET = "JBSWY3DPEHPK3PXPTOTPSEED";

    @TempDir Path dir;
    private JdbcMetadataStore db;
    private final SecretSealer sealer = SecretSealer.withKey(SecretSealer.newKey());

    @AfterEach
    void close() {
        if (db != null) db.close();
    }

    private Path open() {
        Path file = dir.resolve("stowage.db");
        db = JdbcMetadataStore.open(MetadataConfig.sqlite(file));
        return file;
    }

    private void writeSecrets(JdbcIdentityStore identities, JdbcWebhookStore webhooks) {
        identities.addSigningKey(new StoredSigningKey("k1", PRIVATE_JWK, Instant.now(), null));
        identities.createAccount(new Account("alice", "hash", false, false, Instant.now()));
        identities.setTotp("alice", TOTP_SECRET, true);
        webhooks.createWebhook(new Webhook("h1", "team", "https://ci.example/hook", Set.of(RegistryEvent.Type.PUSH),
                HOOK_SECRET, true, Instant.now()));
    }

    @Test
    void noSecretAppearsInPlaintextInTheDatabaseFile() throws Exception {
        Path file = open();
        writeSecrets(new JdbcIdentityStore(db, sealer), new JdbcWebhookStore(db, sealer));
        db.close();
        db = null;
        String bytes = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1)
                + (Files.exists(dir.resolve("stowage.db-wal"))
                ? new String(Files.readAllBytes(dir.resolve("stowage.db-wal")), StandardCharsets.ISO_8859_1) : "");
        assertThat(bytes).doesNotContain("PRIVATE-PART-d-value").doesNotContain(HOOK_SECRET).doesNotContain(TOTP_SECRET);
    }

    @Test
    void sealedSecretsReadBackWithTheKey() {
        open();
        JdbcIdentityStore identities = new JdbcIdentityStore(db, sealer);
        JdbcWebhookStore webhooks = new JdbcWebhookStore(db, sealer);
        writeSecrets(identities, webhooks);
        assertThat(identities.signingKeys()).singleElement().extracting(StoredSigningKey::privateJwk).isEqualTo(PRIVATE_JWK);
        assertThat(identities.findTotp("alice").orElseThrow().secret()).isEqualTo(TOTP_SECRET);
        assertThat(webhooks.findWebhook("h1").orElseThrow().secret()).isEqualTo(HOOK_SECRET);
        assertThat(column("SELECT private_jwk FROM signing_keys")).startsWith("v1:");
        assertThat(column("SELECT secret FROM webhooks")).startsWith("v1:");
        assertThat(column("SELECT totp_secret FROM accounts")).startsWith("v1:");
    }

    @Test
    void plaintextRowsFromBeforeSealingAreReadAndThenSealedOnce() {
        open();
        JdbcIdentityStore plainIdentities = new JdbcIdentityStore(db, sealer);
        JdbcWebhookStore plainWebhooks = new JdbcWebhookStore(db, sealer);
        writeSecrets(plainIdentities, plainWebhooks);
        // As an older version left them:
        execute("UPDATE signing_keys SET private_jwk = '" + PRIVATE_JWK.replace("'", "''") + "'");
        execute("UPDATE webhooks SET secret = '" + HOOK_SECRET + "'");
        execute("UPDATE accounts SET totp_secret = '" + TOTP_SECRET + "'");
        assertThat(plainIdentities.signingKeys().getFirst().privateJwk()).isEqualTo(PRIVATE_JWK);
        assertThat(plainWebhooks.findWebhook("h1").orElseThrow().secret()).isEqualTo(HOOK_SECRET);

        assertThat(plainIdentities.sealPlaintextSecrets()).isEqualTo(2);
        assertThat(plainWebhooks.sealPlaintextSecrets()).isEqualTo(1);
        assertThat(plainIdentities.sealPlaintextSecrets()).isZero();
        assertThat(plainWebhooks.sealPlaintextSecrets()).isZero();
        assertThat(column("SELECT private_jwk FROM signing_keys")).startsWith("v1:");
        assertThat(column("SELECT secret FROM webhooks")).startsWith("v1:");
        assertThat(plainIdentities.findTotp("alice").orElseThrow().secret()).isEqualTo(TOTP_SECRET);
    }

    @Test
    void anotherKeyCannotOpenTheSecretsAndSaysSo() {
        open();
        writeSecrets(new JdbcIdentityStore(db, sealer), new JdbcWebhookStore(db, sealer));
        SecretSealer other = SecretSealer.withKey(SecretSealer.newKey());
        assertThatThrownBy(() -> new JdbcIdentityStore(db, other).sealPlaintextSecrets())
                .isInstanceOf(SecretSealer.WrongKeyException.class).hasMessageContaining("signing_keys.private_jwk:k1");
        assertThatThrownBy(() -> new JdbcWebhookStore(db, other).findWebhook("h1"))
                .isInstanceOf(SecretSealer.WrongKeyException.class);
    }

    @Test
    void aSealedSecretMovedToAnotherRowDoesNotOpen() {
        open();
        JdbcWebhookStore webhooks = new JdbcWebhookStore(db, sealer);
        writeSecrets(new JdbcIdentityStore(db, sealer), webhooks);
        webhooks.createWebhook(new Webhook("h2", "team", "https://ci.example/other", Set.of(RegistryEvent.Type.PUSH),
                "second-secret", true, Instant.now()));
        execute("UPDATE webhooks SET secret = (SELECT secret FROM webhooks WHERE id = 'h1') WHERE id = 'h2'");
        assertThatThrownBy(() -> webhooks.findWebhook("h2")).isInstanceOf(SecretSealer.WrongKeyException.class);
    }

    private String column(String sql) {
        try (Connection c = db.dataSource().getConnection(); PreparedStatement s = c.prepareStatement(sql);
             ResultSet r = s.executeQuery()) {
            r.next();
            return r.getString(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private void execute(String sql) {
        try (Connection c = db.dataSource().getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.executeUpdate();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
