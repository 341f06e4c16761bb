package dev.stowage.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowage.core.access.Account;
import dev.stowage.core.access.Project;
import dev.stowage.core.access.RegistryPolicy;
import dev.stowage.core.access.Role;
import dev.stowage.core.audit.AuditTrail;
import dev.stowage.core.event.EventPublisher;
import dev.stowage.core.governance.ImmutableTagPolicy;
import dev.stowage.core.governance.ProjectPolicy;
import dev.stowage.core.governance.QuotaPolicy;
import dev.stowage.core.service.RegistryService;
import dev.stowage.core.service.RetentionRunner;
import dev.stowage.core.service.GarbageCollector;
import dev.stowage.core.service.ProjectLifecycle;
import dev.stowage.core.service.ServiceSettings;
import dev.stowage.identity.AccountService;
import dev.stowage.identity.AuthSettings;
import dev.stowage.identity.CredentialVerifier;
import dev.stowage.identity.LoginThrottle;
import dev.stowage.identity.PasswordHasher;
import dev.stowage.identity.RegistryTokens;
import dev.stowage.identity.SigningKeys;
import dev.stowage.identity.TokenAccessController;
import dev.stowage.identity.TokenGrants;
import dev.stowage.metadata.JdbcAuditStore;
import dev.stowage.metadata.JdbcGovernanceStore;
import dev.stowage.metadata.JdbcIdentityStore;
import dev.stowage.metadata.JdbcMetadataStore;
import dev.stowage.metadata.JdbcWebhookStore;
import dev.stowage.metadata.MetadataConfig;
import dev.stowage.storage.FileSystemBlobStore;
import dev.stowage.webhooks.WebhookDispatcher;
import dev.stowage.webhooks.WebhookService;
import dev.stowage.webhooks.WebhookSettings;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real registry that signs callers in (the counterpart of {@link TestRegistry}, which is open to all): SQLite
 * metadata and identities, signed registry tokens, the token endpoint at {@code /token} and the admin API, Netty on a
 * free port, and an HTTP client for it. Each account's password is its name followed by {@code pw}.
 */
final class AuthenticatedRegistry implements AutoCloseable {
    /** Cheap hashes: tests sign in often and are not about the cost of a hash. */
    static final PasswordHasher FAST = new PasswordHasher(1024, 1, 1);
    static final ObjectMapper JSON = new ObjectMapper();

    final JdbcMetadataStore metadata;
    final JdbcIdentityStore identities;
    final RegistryTokens tokens;
    final RegistryService service;
    final RegistryServer server;
    final String base;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    /** The audit trail, when the builder asked for one. */
    final AuditTrail audit;
    private final WebhookDispatcher dispatcher;

    static Builder in(Path root) {
        return new Builder(root);
    }

    /** What differs between the registries tests need; everything else is as a default configuration has it. */
    static final class Builder {
        private final Path root;
        private final List<Consumer<JdbcIdentityStore>> identitySetUp = new ArrayList<>();
        private PasswordHasher hasher = FAST;
        private CredentialVerifier.Settings hashing = CredentialVerifier.Settings.defaults();
        private LoginThrottle.Settings throttling = LoginThrottle.Settings.DEFAULTS;
        private Consumer<String> auditLines;
        private WebhookSettings webhooks;
        private boolean governance;
        private NetworkPolicy network = NetworkPolicy.OPEN;
        private EventPublisher quotaEvents;
        private EventPublisher events = EventPublisher.NOOP;
        private Duration keyGrace = Duration.ofHours(1);
        private Clock tokenClock = Clock.systemUTC();

        private Builder(Path root) {
            this.root = root;
        }

        /** An account whose password is {@code name + "pw"}. */
        Builder account(String name, boolean systemAdmin) {
            identitySetUp.add(identities -> identities.createAccount(new Account(name,
                    hasher.hash((name + "pw").toCharArray()), systemAdmin, false, Instant.now())));
            return this;
        }

        Builder user(String name) {
            return account(name, false);
        }

        Builder admin(String name) {
            return account(name, true);
        }

        Builder project(String name, boolean isPublic) {
            identitySetUp.add(identities -> identities.createProject(new Project(name, isPublic, Instant.now())));
            return this;
        }

        Builder member(String project, String account, Role role) {
            identitySetUp.add(identities -> identities.setMember(project, account, role));
            return this;
        }

        /** Hashes the accounts' passwords with {@code hasher} and verifies sign-ins with it. */
        Builder hasher(PasswordHasher hasher) {
            this.hasher = hasher;
            return this;
        }

        /** Bounds on password hashing and on failed sign-ins other than the defaults. */
        Builder signIns(CredentialVerifier.Settings hashing, LoginThrottle.Settings throttling) {
            this.hashing = hashing;
            this.throttling = throttling;
            return this;
        }

        /** An audit trail (kept in the metadata database, and each record written as a line to {@code lines}). */
        Builder audit(Consumer<String> lines) {
            this.auditLines = lines;
            return this;
        }

        /** Webhooks, managed by the admin API, with these settings. */
        Builder webhooks(WebhookSettings settings) {
            this.webhooks = settings;
            return this;
        }

        /** Immutable-tag rules, tag mutability and retention policies, managed by the admin API. */
        Builder governance() {
            this.governance = true;
            return this;
        }

        /** An allowlist, rate limit or trusted proxies other than none. */
        Builder network(NetworkPolicy policy) {
            this.network = policy;
            return this;
        }

        /** Project quotas, enforced on pushes and managed by the admin API; warnings and refusals go to {@code events}. */
        Builder quotas(EventPublisher events) {
            this.quotaEvents = events;
            return this;
        }

        /** Registry events (pushes, pulls, deletions) go to {@code events}. */
        Builder events(EventPublisher events) {
            this.events = events;
            return this;
        }

        /** How long a rotated-out signing key still verifies. */
        Builder keyGrace(Duration grace) {
            this.keyGrace = grace;
            return this;
        }

        /** The clock tokens are issued, verified and found expired by (and signing keys retired by). */
        Builder tokenClock(Clock clock) {
            this.tokenClock = clock;
            return this;
        }

        AuthenticatedRegistry start() throws Exception {
            return new AuthenticatedRegistry(this);
        }
    }

    private AuthenticatedRegistry(Builder b) throws Exception {
        metadata = JdbcMetadataStore.open(new MetadataConfig("jdbc:sqlite:" + b.root.resolve("m.db"), "", "", 0));
        identities = new JdbcIdentityStore(metadata);
        for (Consumer<JdbcIdentityStore> step : b.identitySetUp) step.accept(identities);
        AuthSettings auth = new AuthSettings("stowage", Optional.empty(), Duration.ofMinutes(5));
        SigningKeys signingKeys = SigningKeys.shared(identities, b.tokenClock, b.keyGrace);
        tokens = new RegistryTokens(signingKeys, "stowage", "stowage", Duration.ofMinutes(5), b.tokenClock);
        // As a configuration with access control has it: no repository outside a project.
        RegistryPolicy policy = new ProjectPolicy(identities, ProjectPolicy.Mode.REQUIRE_EXISTING, Clock.systemUTC());
        Optional<ImmutableTagPolicy> immutability = Optional.empty();
        if (b.governance) {
            immutability = Optional.of(new ImmutableTagPolicy(new JdbcGovernanceStore(metadata), metadata));
            policy = RegistryPolicy.all(policy, immutability.get());
        }
        Optional<QuotaPolicy> quotas = Optional.empty();
        if (b.quotaEvents != null) {
            quotas = Optional.of(new QuotaPolicy(new JdbcGovernanceStore(metadata), metadata, b.quotaEvents));
            policy = RegistryPolicy.all(policy, quotas.get());
        }
        service = new RegistryService(new FileSystemBlobStore(b.root.resolve("blobs")), metadata,
                policy, ServiceSettings.DEFAULTS, Clock.systemUTC());
        TokenGrants grants = new TokenGrants(identities, new CredentialVerifier(b.hasher, b.hashing),
                new LoginThrottle(b.throttling), tokens, false);
        JdbcAuditStore auditStore = b.auditLines == null ? null : new JdbcAuditStore(metadata);
        audit = auditStore == null ? null : new AuditTrail(auditStore, b.auditLines::accept, 50);
        Optional<WebhookService> webhookService = Optional.empty();
        if (b.webhooks != null) {
            JdbcWebhookStore webhookStore = new JdbcWebhookStore(metadata);
            dispatcher = new WebhookDispatcher(webhookStore, b.webhooks, Clock.systemUTC());
            webhookService = Optional.of(new WebhookService(webhookStore, dispatcher, Clock.systemUTC()));
        } else {
            dispatcher = null;
        }
        Optional<RetentionRunner> retention = Optional.empty();
        if (b.governance) {
            retention = Optional.of(new RetentionRunner(service, new JdbcGovernanceStore(metadata), immutability.get()));
        }
        AccountService accounts = new AccountService(identities, b.hasher, Clock.systemUTC(), Optional.of(signingKeys));
        JdbcGovernanceStore governanceStore = new JdbcGovernanceStore(metadata);
        // The admin routes as the application's capabilities contribute them, each only when the test asked for it.
        List<AdminRouteSet> routes = new ArrayList<>(List.of(new AccountRoutes(accounts),
                new ProjectRoutes(accounts, new ProjectLifecycle(service, Optional.of(governanceStore), b.events)),
                new RobotRoutes(accounts), new CollectionRoutes(new GarbageCollector(service, b.events))));
        if (auditStore != null) routes.add(new AuditRoutes(auditStore));
        immutability.ifPresent(rules -> routes.add(new ImmutabilityRoutes(accounts, rules)));
        retention.ifPresent(runner -> routes.add(new RetentionRoutes(accounts, runner)));
        quotas.ifPresent(limits -> routes.add(new QuotaRoutes(accounts, limits)));
        webhookService.ifPresent(hooks -> routes.add(new WebhookRoutes(accounts, hooks)));
        server = RegistryServer.start(ServerSettings.of("127.0.0.1", 0).withNetwork(b.network), service,
                new TokenAccessController(tokens, grants, identities, auth), ServerParts.none().withTokens(grants)
                        .withAudit(Optional.ofNullable(audit)).withAdminRoutes(routes).withEvents(b.events));
        base = "http://127.0.0.1:" + server.port();
    }

    int port() {
        return server.port();
    }

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path));
    }

    HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A request with an optional JSON body and an optional Authorization header, as the admin API takes them. */
    HttpResponse<String> call(String method, String path, String authorization, String json) throws Exception {
        HttpRequest.Builder b = request(path).method(method,
                json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (authorization != null) b.header("Authorization", authorization);
        return send(b);
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** The token endpoint's answer; {@code user} null asks anonymously, an empty scope asks for none. */
    HttpResponse<String> tokenResponse(String user, String password, String scope) throws Exception {
        String query = scope.isEmpty() ? "" : "&scope=" + URLEncoder.encode(scope, StandardCharsets.UTF_8);
        HttpRequest.Builder b = request("/token?service=stowage" + query);
        if (user != null) b.header("Authorization", basic(user, password));
        return send(b);
    }

    /** A registry token from /token (which must grant one); an empty scope gives a token with {@code access: []}. */
    String token(String user, String password, String scope) throws Exception {
        HttpResponse<String> r = tokenResponse(user, password, scope);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).path("token").asText();
    }

    /** The first error's code in a registry error body. */
    static String errorCode(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body()).path("errors").path(0).path("code").asText();
    }

    @Override
    public void close() {
        server.close();
        if (audit != null) audit.close();
        if (dispatcher != null) dispatcher.close();
        metadata.close();
    }
}
