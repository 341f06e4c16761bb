package dev.stowage.app;

import dev.stowage.core.access.AccessController;
import dev.stowage.core.access.RegistryPolicy;
import dev.stowage.core.policy.ImagePolicy;
import dev.stowage.metadata.JdbcWebhookStore;
import dev.stowage.core.spi.SecretSealer;
import dev.stowage.core.service.RegistryService;
import dev.stowage.core.service.ServiceSettings;
import dev.stowage.identity.AccountService;
import dev.stowage.identity.AuthSettings;
import dev.stowage.identity.OidcSignIn;
import dev.stowage.identity.CredentialVerifier;
import dev.stowage.identity.LoginThrottle;
import dev.stowage.identity.PasswordHasher;
import dev.stowage.identity.RegistryTokens;
import dev.stowage.identity.SigningKeys;
import dev.stowage.identity.TokenAccessController;
import dev.stowage.identity.TokenGrants;
import dev.stowage.core.audit.AuditTrail;
import dev.stowage.metadata.JdbcAuditStore;
import dev.stowage.metadata.JdbcIdentityStore;
import dev.stowage.metadata.JdbcMetadataStore;
import dev.stowage.metadata.MetadataConfig;
import dev.stowage.server.RegistryServer;
import dev.stowage.server.ServerParts;
import dev.stowage.server.NetworkPolicy;
import dev.stowage.server.ServerSettings;
import dev.stowage.server.TlsSettings;
import dev.stowage.storage.FileSystemBlobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** A running registry node: stores, service, HTTP server and background sweeps, wired from configuration. */
public final class Stowage implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Stowage.class);

    private final FileSystemBlobStore blobs;
    private final JdbcMetadataStore metadata;
    private final RegistryServer server;
    private final RegistryService service;
    /** What the capabilities asked to close when the node stops. */
    private final List<AutoCloseable> closers;
    private final ScheduledExecutorService sweeper;
    private final Optional<AuditTrail> audit;

    private Stowage(FileSystemBlobStore blobs, JdbcMetadataStore metadata, RegistryServer server, RegistryService service,
                    List<AutoCloseable> closers, ScheduledExecutorService sweeper, Optional<AuditTrail> audit) {
        this.service = service;
        this.closers = List.copyOf(closers);
        this.audit = audit;
        this.blobs = blobs;
        this.metadata = metadata;
        this.server = server;
        this.sweeper = sweeper;
    }

    private static OidcSignIn.Settings oidcSettings(StowageConfig.Oidc oidc) {
        return new OidcSignIn.Settings(java.net.URI.create(oidc.issuer()), oidc.clientId(), oidc.clientSecret(),
                Optional.of(oidc.redirectUri()).filter(u -> !u.isBlank()).map(java.net.URI::create), oidc.scopes(),
                oidc.usernameClaim(), oidc.groupsClaim(), Optional.of(oidc.adminGroup()).filter(g -> !g.isBlank()),
                oidc.groupGrants());
    }

    public static Stowage start(StowageConfig config) throws IOException, InterruptedException {
        if (config.tls().enabled()) {
            // A TLS mistake is found before anything is made on disk (the server reads the pair again when it binds).
            dev.stowage.server.TlsMaterial.load(Path.of(config.tls().certificate()), Path.of(config.tls().key()),
                    config.tls().password());
        }
        DataDirectory.prepare(config, ConfigOptions::warn);
        boolean keyWasThere = config.secretsKey().isPresent() || Files.exists(config.secretsKeyFile());
        SecretSealer sealer = DataDirectory.sealer(config, ConfigOptions::warn);
        FileSystemBlobStore blobs = new FileSystemBlobStore(config.storagePath());
        JdbcMetadataStore metadata = openMetadata(config);
        List<AutoCloseable> closers = new ArrayList<>();
        try {
            JdbcIdentityStore identities = new JdbcIdentityStore(metadata, sealer);
            sealSecrets(config, keyWasThere, identities, new JdbcWebhookStore(metadata, sealer));
            List<Capability> capabilities = Capabilities.all();
            for (Capability capability : capabilities) {
                capability.migrations().ifPresent(location -> metadata.migrate(capability.name(), location));
            }
            ServiceSettings settings = new ServiceSettings(config.manifests().maxBytes(), config.uploadExpiry(),
                    ServiceSettings.DEFAULTS.maxPageSize(), config.delete().enabled(),
                    ServiceSettings.manifestCacheBytesFor(Runtime.getRuntime().maxMemory()), config.tagCacheTtl());
            Optional<SigningKeys> signingKeys = config.auth().enabled()
                    ? Optional.of(SigningKeys.shared(identities, Clock.systemUTC(),
                            StowageConfig.parseDuration(config.auth().keyGrace(), "auth.keyGrace")))
                    : Optional.empty();
            AccountService accounts = new AccountService(identities, PasswordHasher.DEFAULT, Clock.systemUTC(), signingKeys);
            JdbcAuditStore auditStore = new JdbcAuditStore(metadata);
            Node node = new Node(config, metadata, blobs, sealer, identities, accounts, auditStore, Clock.systemUTC());
            // Each capability in turn: its policies and listeners first, then (with the service) routes and jobs.
            Contributions contributions = new Contributions();
            for (Capability capability : capabilities) capability.prepare(node, contributions);
            closers.addAll(contributions.closers());
            node.listeners(contributions.listeners());
            // every capability's image checks are one policy, evaluated once per pull and per admission review
            ImagePolicy imagePolicy = new ImagePolicy(contributions.imageChecks());
            node.imagePolicy(imagePolicy);
            RegistryService service = new RegistryService(blobs, metadata, RegistryPolicy.all(java.util.stream.Stream
                    .concat(contributions.policies().stream(), java.util.stream.Stream.of(imagePolicy))
                    .toArray(RegistryPolicy[]::new)), settings, Clock.systemUTC());
            node.service(service);
            Contributions started = new Contributions();
            for (Capability capability : capabilities) capability.start(node, started);
            closers.addAll(started.closers());
            Optional<TlsSettings> tls = config.tls().enabled()
                    ? Optional.of(new TlsSettings(Path.of(config.tls().certificate()), Path.of(config.tls().key()), config.tls().password(),
                            Optional.of(config.tls().clientCa()).filter(c -> !c.isBlank()).map(Path::of),
                            config.tls().requireClientCertificate()))
                    : Optional.empty();
            ServerSettings serverSettings = new ServerSettings(config.http().host(), config.http().port(),
                    config.http().ioThreads(), config.http().maxHeaderBytes(), tls,
                    NetworkPolicy.of(List.of(config.network().allow().split(",")), config.network().rateLimit(),
                            config.network().rateBurst()).trustingProxies(config.http().trustedProxyNetworks()),
                    config.http().connections());
            Optional<AuditTrail> audit = config.audit().enabled()
                    ? Optional.of(new AuditTrail(auditStore, AuditStream.open(config.audit().stream()), 200,
                            Optional.of(AuditCommand.checkpoints(config))))
                    : Optional.empty();
            RegistryServer server;
            if (config.auth().enabled()) {
                Bootstrap.ensureAdmin(identities, Bootstrap.adminPassword(), ConfigOptions::warn);
                AuthSettings auth = new AuthSettings(config.auth().service(),
                        Optional.of(config.auth().realm()).filter(r -> !r.isBlank()),
                        StowageConfig.parseDuration(config.auth().tokenLifetime(), "auth.tokenLifetime"));
                RegistryTokens tokens = new RegistryTokens(signingKeys.orElseThrow(), "stowage", auth.service(),
                        auth.tokenLifetime(), Clock.systemUTC());
                TokenGrants grants = new TokenGrants(identities,
                        new CredentialVerifier(PasswordHasher.DEFAULT, config.credentialSettings()),
                        new LoginThrottle(config.loginThrottle()), tokens, config.auth().createProjectsOnPush());
                Optional<OidcSignIn> signIn = config.oidc().enabled()
                        ? Optional.of(new OidcSignIn(oidcSettings(config.oidc()), tokens, accounts)) : Optional.empty();
                server = RegistryServer.start(serverSettings, service,
                        new TokenAccessController(tokens, grants, identities, auth), ServerParts.none().withTokens(grants)
                                .withSignIn(signIn).withAudit(audit).withAdminRoutes(started.adminRoutes())
                                .withEvents(node.events()));
            } else {
                // Without access control there is no admin API (nothing could decide who may use it).
                server = RegistryServer.start(serverSettings, service, AccessController.OPEN,
                        ServerParts.none().withAudit(audit));
            }
            ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().name("upload-sweeper").daemon().factory());
            long interval = config.uploadSweepInterval().toMillis();
            sweeper.scheduleWithFixedDelay(() -> sweepUploads(service), Math.min(interval, 10_000), interval,
                    TimeUnit.MILLISECONDS);
            sweeper.scheduleWithFixedDelay(() -> flushPulls(service), 5, 5, TimeUnit.SECONDS);
            for (Contributions.Job job : started.jobs()) job.schedule(sweeper);
            LOG.info("storage {} , metadata {}", config.storagePath(), redact(config.jdbcUrl()));
            return new Stowage(blobs, metadata, server, service, closers, sweeper, audit);
        } catch (InterruptedException | RuntimeException e) {
            closeAll(closers);
            metadata.close();
            if (portInUse(e)) {
                throw new ConfigException("cannot listen on " + config.http().host() + ":" + config.http().port()
                        + ": the address is in use", "stop the process using it, or set http.port (--port)");
            }
            throw e;
        }
    }

    /** Netty reports a taken port as a native error (errno -98) inside whatever the server wraps it in. */
    private static boolean portInUse(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.net.BindException || String.valueOf(t.getMessage()).contains("Address already in use")) {
                return true;
            }
        }
        return false;
    }

    /** The metadata database; a URL it cannot use or a server it cannot reach is the operator's to fix. */
    static JdbcMetadataStore openMetadata(StowageConfig config) {
        try {
            return JdbcMetadataStore.open(new MetadataConfig(config.jdbcUrl(), config.database().user(),
                    config.database().password(), config.database().maxPoolSize()));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("database.url: " + e.getMessage(),
                    "use jdbc:sqlite:<file> or jdbc:postgresql://<host>/<database>");
        } catch (RuntimeException e) {
            Throwable cause = e;
            while (cause.getCause() != null && cause.getCause() != cause) cause = cause.getCause();
            if (!(cause instanceof java.sql.SQLException || cause instanceof IOException)) throw e;
            throw new ConfigException("cannot open the database " + redact(config.jdbcUrl()) + ": " + cause.getMessage(),
                    "check database.url, database.user and database.password, and that the database server runs", e);
        }
    }

    /**
     * Seals secrets an earlier version left in plaintext and proves the key opens the sealed ones, before anything
     * needs them: a wrong key is one line at start, not a failure at the first sign-in.
     */
    static void sealSecrets(StowageConfig config, boolean keyWasThere, JdbcIdentityStore identities,
                            JdbcWebhookStore webhooks) throws IOException {
        try {
            int sealed = identities.sealPlaintextSecrets() + webhooks.sealPlaintextSecrets();
            if (sealed > 0) LOG.info("sealed {} secrets an earlier version stored in plaintext", sealed);
        } catch (SecretSealer.WrongKeyException e) {
            if (!keyWasThere) {
                // The key file was just made for a database sealed with another: leave no wrong key behind.
                Files.deleteIfExists(config.secretsKeyFile());
                throw new ConfigException("the secrets key file " + config.secretsKeyFile() + " is missing, and this "
                        + "database's secrets are sealed with a key", "restore the file from a backup (or give the key "
                        + "as secrets.key / STOWAGE_SECRETS_KEY)");
            }
            String source = config.secretsKey().isPresent() ? "secrets.key" : "the key file " + config.secretsKeyFile();
            throw new ConfigException(e.getMessage() + ", not with " + source,
                    "start with the key this database was sealed with: its original secret.key file, or the same "
                            + "secrets.key (STOWAGE_SECRETS_KEY) on every node");
        }
    }

    /** Last contributed first; one that fails to close is logged and the others still close. */
    private static void closeAll(List<AutoCloseable> closers) {
        for (AutoCloseable closer : closers.reversed()) {
            try {
                closer.close();
            } catch (Exception e) {
                LOG.warn("closing {}: {}", closer, e.toString());
            }
        }
    }

    private static void flushPulls(RegistryService service) {
        try {
            service.flushPulls();
        } catch (RuntimeException e) {
            // Pull times are approximate by design: a failed batch is dropped, the next pulls are noted again.
            LOG.warn("recording pull times failed: {}", e.toString());
        }
    }

    private static void sweepUploads(RegistryService service) {
        try {
            int removed = service.expireUploads();
            if (removed > 0) LOG.info("removed {} abandoned uploads", removed);
        } catch (RuntimeException e) {
            LOG.warn("upload expiry sweep failed: {}", e.toString());
        }
    }

    /** JDBC URLs may carry credentials as parameters; logs show only the part before them. */
    static String redact(String jdbcUrl) {
        int q = jdbcUrl.indexOf('?');
        return q < 0 ? jdbcUrl : jdbcUrl.substring(0, q) + "?...";
    }

    public int port() { return server.port(); }

    public void awaitClose() throws InterruptedException { server.awaitClose(); }

    @Override
    public void close() {
        sweeper.shutdownNow();
        server.close();
        flushPulls(service);
        closeAll(closers);
        audit.ifPresent(AuditTrail::close);
        metadata.close();
        try {
            blobs.close();
        } catch (IOException e) {
            LOG.warn("closing blob store: {}", e.toString());
        }
    }
}
