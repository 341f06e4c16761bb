package dev.stowage.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stowage.core.ErrorCode;
import dev.stowage.core.RegistryException;
import dev.stowage.core.access.AccessController;
import dev.stowage.core.access.AccessRequest;
import dev.stowage.core.access.Account;
import dev.stowage.core.access.Action;
import dev.stowage.core.access.Project;
import dev.stowage.core.access.AccessToken;
import dev.stowage.core.access.RobotAccount;
import dev.stowage.core.access.RobotPermission;
import dev.stowage.core.access.Role;
import dev.stowage.core.audit.AuditRecord;
import dev.stowage.core.audit.AuditTimes;
import dev.stowage.core.audit.AuditTrail;
import dev.stowage.core.governance.ImmutableTagPolicy;
import dev.stowage.core.governance.ImmutableTagRule;
import dev.stowage.core.governance.PolicyException;
import dev.stowage.core.governance.Quota;
import dev.stowage.core.governance.QuotaPolicy;
import dev.stowage.core.governance.TagMutability;
import dev.stowage.core.service.GarbageCollector;
import dev.stowage.core.service.ProjectLifecycle;
import dev.stowage.core.spi.MetadataStore;
import dev.stowage.core.service.RetentionRunner;
import dev.stowage.webhooks.WebhookService;
import dev.stowage.core.spi.GovernanceStore;
import dev.stowage.core.spi.AuditStore;
import dev.stowage.identity.AccountService;
import java.util.List;
import io.netty.handler.codec.http.HttpHeaderNames;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The admin REST API under {@code /api/v1}: users, projects and members. Every route asks the same access
 * controller as the registry routes (MANAGE_SYSTEM or MANAGE_PROJECT on the project) before anything else.
 */
final class AdminApi {
    private static final Pattern USER = Pattern.compile("^/api/v1/users/([^/]+)$");
    private static final Pattern PROJECT = Pattern.compile("^/api/v1/projects/([^/]+)$");
    private static final Pattern MEMBERS = Pattern.compile("^/api/v1/projects/([^/]+)/members$");
    private static final Pattern MEMBER = Pattern.compile("^/api/v1/projects/([^/]+)/members/([^/]+)$");
    private static final Pattern USER_TOTP = Pattern.compile("^/api/v1/users/([^/]+)/totp$");
    private static final Pattern USER_TOTP_CONFIRM = Pattern.compile("^/api/v1/users/([^/]+)/totp/confirm$");
    private static final Pattern USER_TOKENS = Pattern.compile("^/api/v1/users/([^/]+)/tokens$");
    private static final Pattern USER_TOKEN = Pattern.compile("^/api/v1/users/([^/]+)/tokens/([^/]+)$");
    private static final Pattern ROBOT = Pattern.compile("^/api/v1/robots/([^/]+)$");
    private static final Pattern ROBOT_ROTATE = Pattern.compile("^/api/v1/robots/([^/]+)/rotate$");
    private static final Pattern PROJECT_ROBOTS = Pattern.compile("^/api/v1/projects/([^/]+)/robots$");
    /** The fields of a webhook subscription, on creation and on PATCH. */
    private static final String[] WEBHOOK_FIELDS = {"targetUrl", "events", "enabled"};
    private static final Pattern PROJECT_ROBOT = Pattern.compile("^/api/v1/projects/([^/]+)/robots/([^/]+)$");
    private static final Pattern PROJECT_ROBOT_ROTATE = Pattern.compile("^/api/v1/projects/([^/]+)/robots/([^/]+)/rotate$");
    private static final Pattern IMMUTABLE_RULES = Pattern.compile("^/api/v1/projects/([^/]+)/immutable-rules$");
    private static final Pattern IMMUTABLE_RULE = Pattern.compile("^/api/v1/projects/([^/]+)/immutable-rules/([0-9]{1,18})$");
    private static final Pattern WEBHOOKS = Pattern.compile("^/api/v1/projects/([^/]+)/webhooks(/.*)?$");
    private static final Pattern QUOTA = Pattern.compile("^/api/v1/projects/([^/]+)/quota$");
    private static final Pattern RETENTION = Pattern.compile("^/api/v1/projects/([^/]+)/retention$");
    private static final Pattern RETENTION_RUN = Pattern.compile("^/api/v1/projects/([^/]+)/retention/run$");
    private static final Pattern TAG_MUTABILITY = Pattern.compile("^/api/v1/repositories/(.+)/tag-mutability$");
    private static final Pattern PROJECT_REPOSITORIES = Pattern.compile("^/api/v1/projects/([^/]+)/repositories$");
    private static final Pattern ARTIFACTS = Pattern.compile("^/api/v1/repositories/(.+)/artifacts$");
    /** A repository by its full name; not one of the routes below a repository (artifacts, tag-mutability). */
    private static final Pattern REPOSITORY = Pattern.compile("^/api/v1/repositories/(?!.*/(?:artifacts|tag-mutability)$)(.+)$");
    /** Page sizes of the content listings: {@code n} defaults to 100 and is capped at 1000. */
    private static final int DEFAULT_PAGE = 100;
    private static final int MAX_PAGE = 1000;
    private static final Pattern USER_SESSIONS = Pattern.compile("^/api/v1/users/([^/]+)/sessions$");
    private static final Pattern USER_SESSION = Pattern.compile("^/api/v1/users/([^/]+)/sessions/([^/]+)$");
    private static final int MAX_BODY = 64 * 1024;

    /** The OpenAPI document of this API, served as is. */
    static final byte[] OPENAPI = loadOpenApi();

    private static byte[] loadOpenApi() {
        try (var in = AdminApi.class.getResourceAsStream("openapi.json")) {
            return in.readAllBytes();
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("openapi.json missing from the server jar", e);
        }
    }

    private final AccountService accounts;
    private final AccessController access;
    private final Optional<AuditStore> audit;
    private final Optional<GarbageCollector> collector;
    private final Optional<ImmutableTagPolicy> immutability;
    private final Optional<RetentionRunner> retention;
    private final Optional<QuotaPolicy> quotas;
    private final Optional<WebhookService> webhooks;
    private final ProjectLifecycle lifecycle;

    AdminApi(AccountService accounts, AccessController access, Optional<AuditStore> audit,
             Optional<GarbageCollector> collector, Optional<ImmutableTagPolicy> immutability,
             Optional<RetentionRunner> retention, Optional<QuotaPolicy> quotas, Optional<WebhookService> webhooks,
             ProjectLifecycle lifecycle) {
        this.lifecycle = lifecycle;
        this.webhooks = webhooks;
        this.retention = retention;
        this.quotas = quotas;
        this.accounts = accounts;
        this.access = access;
        this.audit = audit;
        this.collector = collector;
        this.immutability = immutability;
    }

    void handle(Exchange exchange) {
        String path = exchange.path();
        String method = exchange.method().name();
        Matcher m;
        if (path.equals("/api/v1/openapi.json")) {
            if (!method.equals("GET") && !method.equals("HEAD")) throw notAllowed();
            exchange.sendBytes(200, Map.of(), "application/json", OPENAPI);
        } else if (path.equals("/api/v1/audit") && audit.isPresent()) {
            authorize(exchange, Action.MANAGE_SYSTEM, null);
            if (!method.equals("GET")) throw notAllowed();
            auditQuery(exchange);
        } else if (path.equals("/api/v1/gc") && collector.isPresent()) {
            authorize(exchange, Action.MANAGE_SYSTEM, null);
            if (!method.equals("POST")) throw notAllowed();
            garbageCollect(exchange);
        } else if ((m = IMMUTABLE_RULES.matcher(path)).matches() && immutability.isPresent()) {
            String project = m.group(1);
            authorize(exchange, Action.MANAGE_PROJECT, project);
            accounts.project(project);
            switch (method) {
                case "GET" -> exchange.sendJson(200, Map.of(), immutability.get().rules(project).stream()
                        .map(AdminApi::immutableRule).toList());
                case "POST" -> {
                    GovernanceStore.StoredRule rule = governed(() -> immutability.get().addRule(project, bodyText(exchange)));
                    exchange.sendJson(201, Map.of("Location", path + "/" + rule.id()), immutableRule(rule));
                }
                default -> throw notAllowed();
            }
        } else if ((m = IMMUTABLE_RULE.matcher(path)).matches() && immutability.isPresent()) {
            String project = m.group(1);
            long id = Long.parseLong(m.group(2));
            authorize(exchange, Action.MANAGE_PROJECT, project);
            switch (method) {
                case "PUT" -> exchange.sendJson(200, Map.of(), immutableRule(governed(() ->
                        immutability.get().replaceRule(project, id, bodyText(exchange)))
                        .orElseThrow(() -> new RegistryException(ErrorCode.NOT_FOUND, "no rule " + id + " in " + project))));
                case "DELETE" -> {
                    if (!immutability.get().deleteRule(project, id)) {
                        throw new RegistryException(ErrorCode.NOT_FOUND, "no rule " + id + " in " + project);
                    }
                    exchange.sendEmpty(204, Map.of());
                }
                default -> throw notAllowed();
            }
        } else if ((m = WEBHOOKS.matcher(path)).matches() && webhooks.isPresent()) {
            authorize(exchange, Action.MANAGE_PROJECT, m.group(1));
            accounts.project(m.group(1));
            webhook(exchange, m.group(1), m.group(2) == null ? "" : m.group(2));
        } else if ((m = QUOTA.matcher(path)).matches() && quotas.isPresent()) {
            String project = m.group(1);
            // Project admins see their quota and usage; only system administrators set it.
            authorize(exchange, method.equals("GET") ? Action.MANAGE_PROJECT : Action.MANAGE_SYSTEM, project);
            accounts.project(project);
            switch (method) {
                case "GET" -> { }
                case "PUT" -> {
                    // Replaces the quota: a limit not given is no limit.
                    JsonNode body = json(exchange, QUOTA_FIELDS);
                    quotas.get().setQuota(project, governed(() -> Quota.of(storageLimit(body).orElse(null),
                            artifactLimit(body).orElse(null), warningPercent(body).orElse(null))));
                }
                case "PATCH" -> {
                    // Changes only the limits given (null clears one); the others stay.
                    JsonNode body = json(exchange, QUOTA_FIELDS);
                    governed(() -> quotas.get().updateQuota(project,
                            body.has("storageBytes") ? Optional.of(storageLimit(body)) : Optional.empty(),
                            body.has("artifacts") ? Optional.of(artifactLimit(body)) : Optional.empty(),
                            body.has("warningPercent") ? Optional.of(warningPercent(body)) : Optional.empty()));
                }
                default -> throw notAllowed();
            }
            exchange.sendJson(200, Map.of(), quota(quotas.get().quota(project), quotas.get().usage(project)));
        } else if ((m = RETENTION.matcher(path)).matches() && retention.isPresent()) {
            String project = m.group(1);
            authorize(exchange, Action.MANAGE_PROJECT, project);
            accounts.project(project);
            switch (method) {
                case "GET" -> exchange.sendJson(200, Map.of(), retentionPolicy(retention.get().policy(project).orElseThrow(() ->
                        new RegistryException(ErrorCode.NOT_FOUND, "project " + project + " has no retention policy"))));
                case "PUT" -> {
                    // The policy document's own fields are checked by its format's parser (Harbor or ECR).
                    JsonNode body = json(exchange, "format", "policy", "schedule");
                    JsonNode policy = JsonFields.object(body, "policy");
                    String schedule = JsonFields.optionalString(body, "schedule").orElse(null);
                    String format = JsonFields.optionalString(body, "format").orElse("");
                    exchange.sendJson(200, Map.of(), retentionPolicy(governed(() -> retention.get().setPolicy(project,
                            format, policy.toString(), schedule))));
                }
                case "DELETE" -> {
                    if (!retention.get().deletePolicy(project)) {
                        throw new RegistryException(ErrorCode.NOT_FOUND, "project " + project + " has no retention policy");
                    }
                    exchange.sendEmpty(204, Map.of());
                }
                default -> throw notAllowed();
            }
        } else if ((m = RETENTION_RUN.matcher(path)).matches() && retention.isPresent()) {
            String project = m.group(1);
            authorize(exchange, Action.MANAGE_PROJECT, project);
            if (!method.equals("POST")) throw notAllowed();
            boolean dryRun = JsonFields.bool(jsonOrEmpty(exchange, "dryRun"), "dryRun", false);
            exchange.sendJson(200, Map.of(), retention.get().run(project, dryRun).orElseThrow(() ->
                    new RegistryException(ErrorCode.NOT_FOUND, "project " + project + " has no retention policy")));
        } else if ((m = TAG_MUTABILITY.matcher(path)).matches() && immutability.isPresent()) {
            dev.stowage.core.RepositoryName repository = dev.stowage.core.RepositoryName.of(m.group(1));
            authorize(exchange, Action.MANAGE_PROJECT, repository.project());
            switch (method) {
                case "GET" -> exchange.sendJson(200, Map.of(), mutability(immutability.get().mutability(repository)));
                case "PUT" -> exchange.sendJson(200, Map.of(), mutability(governed(() ->
                        immutability.get().setMutability(repository, bodyText(exchange)))));
                case "DELETE" -> exchange.sendJson(200, Map.of(), mutability(immutability.get().setMutability(repository, null)));
                default -> throw notAllowed();
            }
        } else if ((m = USER_TOTP.matcher(path)).matches()) {
            String username = m.group(1);
            // Enrolling replaces the secret and removing drops the factor: both change a credential.
            authorizeCredentialChange(exchange, Action.MANAGE_ACCOUNT, null, username);
            switch (method) {
                case "POST" -> {
                    AccountService.TotpEnrollment enrollment = accounts.enrollTotp(username);
                    Map<String, Object> out = new LinkedHashMap<>();
                    out.put("secret", enrollment.secret());
                    out.put("uri", enrollment.uri());
                    exchange.sendJson(200, Map.of("Cache-Control", "no-store"), out);
                }
                case "DELETE" -> {
                    accounts.removeTotp(username);
                    exchange.sendEmpty(204, Map.of());
                }
                default -> throw notAllowed();
            }
        } else if ((m = USER_TOTP_CONFIRM.matcher(path)).matches()) {
            authorizeCredentialChange(exchange, Action.MANAGE_ACCOUNT, null, m.group(1));
            if (!method.equals("POST")) throw notAllowed();
            accounts.confirmTotp(m.group(1), text(json(exchange, "code"), "code"));
            exchange.sendEmpty(204, Map.of());
        } else if ((m = USER_TOKENS.matcher(path)).matches()) {
            String username = m.group(1);
            // Listing needs the account; minting a token needs a fresh password proof (a token must not beget tokens).
            if (method.equals("POST")) authorizeCredentialChange(exchange, Action.MANAGE_ACCOUNT, null, username);
            else authorize(exchange, Action.MANAGE_ACCOUNT, null, username);
            switch (method) {
                case "GET" -> exchange.sendJson(200, Map.of(), accounts.accessTokens(username).stream().map(AdminApi::accessToken).toList());
                case "POST" -> {
                    JsonNode body = json(exchange, "name", "expiresIn");
                    AccountService.NewAccessToken created = accounts.createAccessToken(username, text(body, "name"),
                            expiresIn(body));
                    Map<String, Object> out = accessToken(created.token());
                    out.put("token", created.plaintext());
                    exchange.sendJson(201, Map.of("Cache-Control", "no-store"), out);
                }
                default -> throw notAllowed();
            }
        } else if ((m = USER_TOKEN.matcher(path)).matches()) {
            authorize(exchange, Action.MANAGE_ACCOUNT, null, m.group(1));
            if (!method.equals("DELETE")) throw notAllowed();
            accounts.revokeAccessToken(m.group(1), m.group(2));
            exchange.sendEmpty(204, Map.of());
        } else if (path.equals("/api/v1/keys")) {
            authorize(exchange, Action.MANAGE_SYSTEM, null);
            if (!method.equals("GET")) throw notAllowed();
            exchange.sendJson(200, Map.of(), Map.of("active", accounts.signingKeyIds()));
        } else if (path.equals("/api/v1/keys/rotate")) {
            authorize(exchange, Action.MANAGE_SYSTEM, null);
            if (!method.equals("POST")) throw notAllowed();
            exchange.sendJson(200, Map.of(), Map.of("current", accounts.rotateSigningKey(), "active", accounts.signingKeyIds()));
        } else if (path.equals("/api/v1/robots")) {
            if (method.equals("POST")) authorizeCredentialChange(exchange, Action.MANAGE_SYSTEM, null, null);
            else authorize(exchange, Action.MANAGE_SYSTEM, null);
            robots(exchange, Optional.empty());
        } else if ((m = ROBOT_ROTATE.matcher(path)).matches()) {
            authorizeCredentialChange(exchange, Action.MANAGE_SYSTEM, null, null);
            rotateRobot(exchange, m.group(1));
        } else if ((m = ROBOT.matcher(path)).matches()) {
            authorize(exchange, Action.MANAGE_SYSTEM, null);
            robot(exchange, m.group(1));
        } else if ((m = PROJECT_ROBOTS.matcher(path)).matches()) {
            if (method.equals("POST")) authorizeCredentialChange(exchange, Action.MANAGE_PROJECT, m.group(1), null);
            else authorize(exchange, Action.MANAGE_PROJECT, m.group(1));
            robots(exchange, Optional.of(m.group(1)));
        } else if ((m = PROJECT_ROBOT_ROTATE.matcher(path)).matches()) {
            authorizeCredentialChange(exchange, Action.MANAGE_PROJECT, m.group(1), null);
            rotateRobot(exchange, accounts.projectRobot(m.group(1), m.group(2)).name());
        } else if ((m = PROJECT_ROBOT.matcher(path)).matches()) {
            authorize(exchange, Action.MANAGE_PROJECT, m.group(1));
            robot(exchange, accounts.projectRobot(m.group(1), m.group(2)).name());
        } else if ((m = USER_SESSIONS.matcher(path)).matches()) {
            String username = m.group(1);
            authorize(exchange, Action.MANAGE_ACCOUNT, null, username);
            switch (method) {
                case "GET" -> exchange.sendJson(200, Map.of(), accounts.sessions(username).stream().map(AdminApi::session).toList());
                case "DELETE" -> exchange.sendJson(200, Map.of(), Map.of("revoked", accounts.revokeSessions(username)));
                default -> throw notAllowed();
            }
        } else if ((m = USER_SESSION.matcher(path)).matches()) {
            authorize(exchange, Action.MANAGE_ACCOUNT, null, m.group(1));
            if (!method.equals("DELETE")) throw notAllowed();
            accounts.revokeSession(m.group(1), m.group(2));
            exchange.sendEmpty(204, Map.of());
        } else if (path.equals("/api/v1/me")) {
            authorize(exchange, Action.MANAGE_OWN_ACCOUNT, null);
            if (!method.equals("GET")) throw notAllowed();
            exchange.sendJson(200, Map.of(), ownAccount(accounts.ownAccount(caller(exchange))));
        } else if (path.equals("/api/v1/me/tokens")) {
            authorize(exchange, Action.MANAGE_OWN_ACCOUNT, null);
            if (!method.equals("GET")) throw notAllowed();
            exchange.sendJson(200, Map.of(), accounts.accessTokens(caller(exchange)).stream().map(AdminApi::accessToken).toList());
        } else if (path.equals("/api/v1/me/password")) {
            // The current password in the body, and a fresh sign-in: a leaked token must not be able to take the account.
            authorizeCredentialChange(exchange, Action.MANAGE_OWN_ACCOUNT, null, null);
            if (!method.equals("PUT")) throw notAllowed();
            JsonNode body = json(exchange, "currentPassword", "newPassword");
            accounts.changeOwnPassword(caller(exchange), text(body, "currentPassword").toCharArray(),
                    text(body, "newPassword").toCharArray());
            exchange.sendEmpty(204, Map.of());
        } else if (path.equals("/api/v1/users")) {
            // A new account comes with a password (and maybe administrator rights): a fresh proof, not a token.
            if (method.equals("POST")) authorizeCredentialChange(exchange, Action.MANAGE_SYSTEM, null, null);
            else authorize(exchange, Action.MANAGE_SYSTEM, null);
            switch (method) {
                case "GET" -> exchange.sendJson(200, Map.of(), accounts.users().stream().map(AdminApi::user).toList());
                case "POST" -> {
                    JsonNode body = json(exchange, "username", "password", "systemAdmin");
                    String username = text(body, "username");
                    String password = text(body, "password");
                    boolean systemAdmin = JsonFields.bool(body, "systemAdmin", false);
                    Account created = accounts.createUser(username, password.toCharArray(), systemAdmin);
                    exchange.sendJson(201, Map.of("Location", "/api/v1/users/" + created.username()), user(created));
                }
                default -> throw notAllowed();
            }
        } else if ((m = USER.matcher(path)).matches()) {
            String username = m.group(1);
            // Deleting an account takes a fresh proof, as creating one does.
            if (method.equals("DELETE")) authorizeCredentialChange(exchange, Action.MANAGE_SYSTEM, null, null);
            else if (!method.equals("PATCH")) authorize(exchange, Action.MANAGE_SYSTEM, null);
            switch (method) {
                case "GET" -> exchange.sendJson(200, Map.of(), user(accounts.user(username)));
                case "DELETE" -> {
                    accounts.deleteUser(caller(exchange), username);
                    exchange.sendEmpty(204, Map.of());
                }
                case "PATCH" -> {
                    // Setting someone's password needs a fresh proof; disabling an account, what one does when a
                    // credential leaks, takes any administrator credential. The body says which, so it is read before
                    // the (single: a TOTP code works once) authorization, and a malformed one is refused only after it.
                    JsonNode body;
                    try {
                        body = json(exchange, "password", "disabled");
                    } catch (RegistryException e) {
                        authorize(exchange, Action.MANAGE_SYSTEM, null);
                        throw e;
                    }
                    authorize(exchange, Action.MANAGE_SYSTEM, null, null, body.has("password"));
                    Optional<String> password = body.has("password") ? Optional.of(text(body, "password")) : Optional.empty();
                    Optional<Boolean> disabled = JsonFields.optionalBool(body, "disabled");
                    password.ifPresent(p -> accounts.setPassword(username, p.toCharArray()));
                    disabled.ifPresent(d -> accounts.setDisabled(username, d));
                    exchange.sendJson(200, Map.of(), user(accounts.user(username)));
                }
                default -> throw notAllowed();
            }
        } else if (path.equals("/api/v1/projects")) {
            authorize(exchange, Action.MANAGE_SYSTEM, null);
            switch (method) {
                case "GET" -> exchange.sendJson(200, Map.of(), accounts.projects().stream().map(AdminApi::project).toList());
                case "POST" -> {
                    JsonNode body = json(exchange, "name", "public");
                    String name = text(body, "name");
                    Project created = accounts.createProject(name, JsonFields.bool(body, "public", false));
                    exchange.sendJson(201, Map.of("Location", "/api/v1/projects/" + created.name()), project(created));
                }
                default -> throw notAllowed();
            }
        } else if ((m = PROJECT.matcher(path)).matches()) {
            String name = m.group(1);
            // Projects are created by system administrators, and only they delete one (with all it holds).
            authorize(exchange, method.equals("DELETE") ? Action.MANAGE_SYSTEM : Action.MANAGE_PROJECT, name);
            switch (method) {
                case "GET" -> exchange.sendJson(200, Map.of(), project(accounts.project(name)));
                case "DELETE" -> {
                    boolean force = flag(exchange, "force");
                    accounts.project(name);
                    ProjectLifecycle.Removed removed = lifecycle.deleteProject(name, force, actor(exchange));
                    Map<String, Object> out = new LinkedHashMap<>();
                    out.put("project", name);
                    out.put("repositoriesDeleted", removed.repositories());
                    out.put("artifactsDeleted", removed.artifacts());
                    exchange.sendJson(200, Map.of(), out);
                }
                case "PATCH" -> {
                    JsonNode body = json(exchange, "public", "allowedNetworks");
                    Optional<Boolean> isPublic = JsonFields.optionalBool(body, "public");
                    Optional<String> networks = body.has("allowedNetworks") ? Optional.of(text(body, "allowedNetworks"))
                            : Optional.empty();
                    isPublic.ifPresent(p -> accounts.setPublic(name, p));
                    networks.ifPresent(n -> accounts.setNetworks(name, n));
                    exchange.sendJson(200, Map.of(), project(accounts.project(name)));
                }
                default -> throw notAllowed();
            }
        } else if ((m = PROJECT_REPOSITORIES.matcher(path)).matches()) {
            String project = m.group(1);
            authorize(exchange, Action.READ_PROJECT, project);
            if (!method.equals("GET")) throw notAllowed();
            accounts.project(project);
            int n = pageSize(exchange);
            List<MetadataStore.RepositorySummary> page = lifecycle.repositories(project, exchange.query("last"), n + 1);
            sendPage(exchange, "repositories", page.stream().limit(n).map(AdminApi::repositorySummary).toList(),
                    page.size() > n ? Optional.of(page.get(n - 1).name().value()) : Optional.empty(), Map.of());
        } else if ((m = ARTIFACTS.matcher(path)).matches()) {
            dev.stowage.core.RepositoryName repository = dev.stowage.core.RepositoryName.of(m.group(1));
            authorize(exchange, Action.READ_PROJECT, repository.project());
            if (!method.equals("GET")) throw notAllowed();
            int n = pageSize(exchange);
            List<MetadataStore.ArtifactSummary> page = lifecycle.artifacts(repository, exchange.query("last"), n + 1);
            sendPage(exchange, "artifacts", page.stream().limit(n).map(AdminApi::artifactSummary).toList(),
                    page.size() > n ? Optional.of(page.get(n - 1).digest().toString()) : Optional.empty(),
                    Map.of("repository", repository.value()));
        } else if ((m = REPOSITORY.matcher(path)).matches()) {
            dev.stowage.core.RepositoryName repository = dev.stowage.core.RepositoryName.of(m.group(1));
            authorize(exchange, Action.DELETE_REPOSITORY, repository.project());
            if (!method.equals("DELETE")) throw notAllowed();
            ProjectLifecycle.Removed removed = lifecycle.deleteRepository(repository, actor(exchange));
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("repository", repository.value());
            out.put("artifactsDeleted", removed.artifacts());
            exchange.sendJson(200, Map.of(), out);
        } else if ((m = MEMBERS.matcher(path)).matches()) {
            String name = m.group(1);
            authorize(exchange, Action.MANAGE_PROJECT, name);
            if (!method.equals("GET")) throw notAllowed();
            exchange.sendJson(200, Map.of(), accounts.members(name).stream().map(x -> member(x.username(), x.role())).toList());
        } else if ((m = MEMBER.matcher(path)).matches()) {
            String name = m.group(1);
            String username = m.group(2);
            authorize(exchange, Action.MANAGE_PROJECT, name);
            switch (method) {
                case "PUT" -> {
                    Role role = role(text(json(exchange, "role"), "role"));
                    accounts.setMember(name, username, role);
                    exchange.sendJson(200, Map.of(), member(username, role));
                }
                case "DELETE" -> {
                    accounts.removeMember(name, username);
                    exchange.sendEmpty(204, Map.of());
                }
                default -> throw notAllowed();
            }
        } else {
            throw new RegistryException(ErrorCode.NOT_FOUND, "no such endpoint");
        }
    }

    /** POST /api/v1/gc {"dryRun":true,"untagged":false,"grace":"1h"}: runs a collection now and answers its report. */
    private void garbageCollect(Exchange exchange) {
        JsonNode body = jsonOrEmpty(exchange, "dryRun", "untagged", "grace");
        java.time.Duration grace = JsonFields.duration(body, "grace", java.time.Duration.ZERO, dev.stowage.core.Durations.MAX)
                .orElse(GarbageCollector.DEFAULT_GRACE);
        boolean dryRun = JsonFields.bool(body, "dryRun", false);
        boolean untagged = JsonFields.bool(body, "untagged", false);
        GarbageCollector.Report report;
        try {
            report = collector.get().run(new GarbageCollector.Options(dryRun, untagged, grace));
        } catch (IllegalStateException e) {
            throw new RegistryException(ErrorCode.CONFLICT, e.getMessage());
        }
        exchange.sendJson(200, Map.of(), report);
    }

    /** A governance setting's validation error names the field: 400 with that message. */
    private static <T> T governed(java.util.function.Supplier<T> change) {
        try {
            return change.get();
        } catch (PolicyException e) {
            throw new RegistryException(ErrorCode.UNSUPPORTED, e.getMessage(), null, 400);
        }
    }

    /** The body as text, checked to be a JSON object (its fields are the domain's to judge). */
    private static String bodyText(Exchange exchange) {
        try {
            return Exchange.JSON.writeValueAsString(JsonFields.parseDocument(readBody(exchange), false));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw badJson();
        }
    }

    private static Map<String, Object> immutableRule(GovernanceStore.StoredRule stored) {
        ImmutableTagRule rule = ImmutableTagRule.parse(stored.id(), stored.json());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", stored.id());
        out.put("disabled", rule.disabled());
        out.put("description", rule.describe());
        try {
            out.put("rule", Exchange.JSON.readTree(stored.json()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /**
     * /webhooks (GET list, POST create: the secret is shown once), /webhooks/{id} (GET, PATCH, DELETE),
     * /{id}/rotate-secret, /{id}/ping, /{id}/deliveries[?before=&limit=], /{id}/deliveries/{d}[/attempts|/redeliver].
     */
    private void webhook(Exchange exchange, String project, String rest) {
        WebhookService hooks = webhooks.get();
        String method = exchange.method().name();
        String[] parts = rest.isEmpty() ? new String[0] : rest.substring(1).split("/");
        String actor = exchange.principal() instanceof dev.stowage.core.access.Principal.User u ? u.username() : null;
        Object answer;
        int status = 200;
        if (parts.length == 0 && method.equals("GET")) {
            answer = hooks.list(project);
        } else if (parts.length == 0 && method.equals("POST")) {
            JsonNode body = json(exchange, WEBHOOK_FIELDS);
            answer = hooks.create(project, text(body, "targetUrl"), WebhookService.parseEvents(JsonFields.strings(body, "events")),
                    JsonFields.bool(body, "enabled", true));
            status = 201;
        } else if (parts.length == 1 && method.equals("GET")) {
            answer = hooks.get(project, parts[0]);
        } else if (parts.length == 1 && method.equals("PATCH")) {
            JsonNode body = json(exchange, WEBHOOK_FIELDS);
            answer = hooks.update(project, parts[0], JsonFields.optionalString(body, "targetUrl"),
                    body.has("events") ? Optional.of(WebhookService.parseEvents(JsonFields.strings(body, "events"))) : Optional.empty(),
                    JsonFields.optionalBool(body, "enabled"));
        } else if (parts.length == 1 && method.equals("DELETE")) {
            hooks.delete(project, parts[0]);
            exchange.sendEmpty(204, Map.of());
            return;
        } else if (parts.length == 2 && parts[1].equals("rotate-secret") && method.equals("POST")) {
            answer = hooks.rotateSecret(project, parts[0]);
        } else if (parts.length == 2 && parts[1].equals("ping") && method.equals("POST")) {
            answer = hooks.ping(project, parts[0], actor);
            status = 202;
        } else if (parts.length == 2 && parts[1].equals("deliveries") && method.equals("GET")) {
            int limit;
            try {
                limit = Integer.parseInt(exchange.query("limit").orElse("50"));
            } catch (NumberFormatException e) {
                throw new RegistryException(ErrorCode.PAGINATION_NUMBER_INVALID, "limit must be a number");
            }
            answer = hooks.deliveries(project, parts[0], exchange.query("before"), limit);
        } else if (parts.length == 3 && parts[1].equals("deliveries") && method.equals("GET")) {
            answer = hooks.delivery(project, parts[0], parts[2]);
        } else if (parts.length == 4 && parts[1].equals("deliveries") && parts[3].equals("attempts") && method.equals("GET")) {
            answer = hooks.attempts(project, parts[0], parts[2]);
        } else if (parts.length == 4 && parts[1].equals("deliveries") && parts[3].equals("redeliver") && method.equals("POST")) {
            answer = hooks.redeliver(project, parts[0], parts[2]);
            status = 202;
        } else {
            throw new RegistryException(ErrorCode.NOT_FOUND, "no such endpoint");
        }
        exchange.sendJson(status, Map.of("Cache-Control", "no-store"), answer);
    }

    /** {@code ?n=}: the page size, 1 to 1000 (larger asks get 1000), 100 when absent. */
    private static int pageSize(Exchange exchange) {
        Optional<String> n = exchange.query("n");
        if (n.isEmpty()) return DEFAULT_PAGE;
        try {
            int value = Integer.parseInt(n.get());
            if (value >= 1) return Math.min(value, MAX_PAGE);
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new RegistryException(ErrorCode.PAGINATION_NUMBER_INVALID, "n must be a whole number from 1 to " + MAX_PAGE,
                Map.of("n", n.get()), 400);
    }

    /**
     * A page of a listing: {@code {<key>: [...], "next": last-of-page}} with a Link header to the next page, as the
     * distribution API's catalog pages ({@code ?n=&last=}); no {@code next} on the last page.
     */
    private static void sendPage(Exchange exchange, String key, List<Map<String, Object>> items, Optional<String> next,
                                 Map<String, Object> before) {
        Map<String, Object> body = new LinkedHashMap<>(before);
        body.put(key, items);
        Map<String, Object> headers = new LinkedHashMap<>();
        next.ifPresent(last -> {
            body.put("next", last);
            headers.put("Link", "<" + exchange.path() + "?n=" + pageSize(exchange) + "&last="
                    + java.net.URLEncoder.encode(last, java.nio.charset.StandardCharsets.UTF_8) + ">; rel=\"next\"");
        });
        exchange.sendJson(200, headers, body);
    }

    private static Map<String, Object> repositorySummary(MetadataStore.RepositorySummary r) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", r.name().value());
        out.put("artifacts", r.artifacts());
        out.put("sizeBytes", r.sizeBytes());
        out.put("lastPushedAt", r.lastPushedAt() == null ? null : r.lastPushedAt().toString());
        out.put("lastPulledAt", r.lastPulledAt() == null ? null : r.lastPulledAt().toString());
        return out;
    }

    private static Map<String, Object> artifactSummary(MetadataStore.ArtifactSummary a) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("digest", a.digest().toString());
        out.put("mediaType", a.mediaType());
        out.put("artifactType", a.artifactType());
        out.put("tags", a.tags());
        out.put("sizeBytes", a.sizeBytes());
        out.put("pushedAt", a.pushedAt().toString());
        out.put("lastPulledAt", a.lastPulledAt() == null ? null : a.lastPulledAt().toString());
        return out;
    }

    /** {@code ?name=true|false}, false when absent; anything else is a 400 naming the parameter. */
    private static boolean flag(Exchange exchange, String name) {
        return switch (exchange.query(name).orElse("false")) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new RegistryException(ErrorCode.UNSUPPORTED, name + " must be true or false", null, 400);
        };
    }

    /** Who made the request, for the events it causes. */
    private static String actor(Exchange exchange) {
        return exchange.principal() instanceof dev.stowage.core.access.Principal.User u ? u.username() : null;
    }

    private static final String[] QUOTA_FIELDS = {"storageBytes", "artifacts", "warningPercent"};

    /** {@code storageBytes}: a whole number of bytes or a size such as "10GiB" or "500MB"; null for no limit. */
    private static Optional<Long> storageLimit(JsonNode body) {
        JsonNode value = body.get("storageBytes");
        if (value != null && value.isTextual()) {
            try {
                return Optional.of(dev.stowage.core.ByteSizes.parse(value.textValue()));
            } catch (IllegalArgumentException e) {
                throw JsonFields.wrongType("storageBytes", "must be a number of bytes, a size such as \"10GiB\" or "
                        + "\"500MB\", or null: " + e.getMessage());
            }
        }
        return Optional.ofNullable(JsonFields.nullableLong(body, "storageBytes", 0, Long.MAX_VALUE));
    }

    private static Optional<Long> artifactLimit(JsonNode body) {
        return Optional.ofNullable(JsonFields.nullableLong(body, "artifacts", 0, Long.MAX_VALUE));
    }

    private static Optional<Integer> warningPercent(JsonNode body) {
        return Optional.ofNullable(JsonFields.nullableLong(body, "warningPercent", 1, 100)).map(Long::intValue);
    }

    private static Map<String, Object> quota(Quota quota, Quota.Usage usage) {
        Map<String, Object> limits = new LinkedHashMap<>();
        limits.put("storageBytes", quota.storageLimitBytes().isPresent() ? quota.storageLimitBytes().getAsLong() : null);
        limits.put("artifacts", quota.artifactLimit().isPresent() ? quota.artifactLimit().getAsLong() : null);
        limits.put("warningPercent", quota.warningPercent().isPresent() ? quota.warningPercent().getAsInt() : null);
        Map<String, Object> out = new LinkedHashMap<>(limits);
        out.put("usage", Map.of("storageBytes", usage.storageBytes(), "artifacts", usage.artifacts()));
        return out;
    }

    private static Map<String, Object> retentionPolicy(GovernanceStore.StoredRetention stored) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("format", stored.format());
        try {
            out.put("policy", Exchange.JSON.readTree(stored.policy()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.put("schedule", stored.schedule());
        return out;
    }

    private static Map<String, Object> mutability(TagMutability setting) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("imageTagMutability", setting.mode().name());
        out.put("imageTagMutabilityExclusionFilters", setting.exclusionFilters().stream()
                .map(g -> Map.of("filterType", "WILDCARD", "filter", g.pattern())).toList());
        return out;
    }

    /** The robots of a project (or, without one, every robot), and creating one. */
    private void robots(Exchange exchange, Optional<String> project) {
        switch (exchange.method().name()) {
            case "GET" -> exchange.sendJson(200, Map.of(), project.map(accounts::projectRobots).orElseGet(accounts::robots)
                    .stream().map(AdminApi::robot).toList());
            case "POST" -> {
                JsonNode body = json(exchange, "name", "expiresIn", "permissions");
                String name = text(body, "name");
                java.time.Duration lifetime = expiresIn(body);
                List<RobotPermission> permissions = permissions(body);
                AccountService.NewSecret created = project.isPresent()
                        ? accounts.createProjectRobot(project.get(), name, permissions, lifetime)
                        : accounts.createRobot(name, permissions, lifetime);
                Map<String, Object> out = robot(created.robot());
                out.put("secret", created.secret());
                String location = project.map(p -> "/api/v1/projects/" + p + "/robots/" + name)
                        .orElse("/api/v1/robots/" + created.robot().name());
                exchange.sendJson(201, Map.of("Location", location, "Cache-Control", "no-store"), out);
            }
            default -> throw notAllowed();
        }
    }

    /** A new secret; {@code {"expiresIn":"90d"}} also renews the expiry (an expired robot comes back this way). */
    private void rotateRobot(Exchange exchange, String fullName) {
        if (!exchange.method().name().equals("POST")) throw notAllowed();
        java.time.Duration lifetime = expiresIn(jsonOrEmpty(exchange, "expiresIn"));
        AccountService.NewSecret rotated = accounts.rotateRobot(fullName, Optional.ofNullable(lifetime));
        Map<String, Object> out = robot(rotated.robot());
        out.put("secret", rotated.secret());
        exchange.sendJson(200, Map.of("Cache-Control", "no-store"), out);
    }

    private void robot(Exchange exchange, String fullName) {
        switch (exchange.method().name()) {
            case "GET" -> exchange.sendJson(200, Map.of(), robot(accounts.robot(fullName)));
            case "PATCH" -> {
                // Only disabling is a change; permissions and expiry are fixed at creation (delete and re-create).
                JsonNode body = json(exchange, "disabled");
                JsonFields.optionalBool(body, "disabled").ifPresent(d -> accounts.setRobotDisabled(fullName, d));
                exchange.sendJson(200, Map.of(), robot(accounts.robot(fullName)));
            }
            case "DELETE" -> {
                accounts.deleteRobot(fullName);
                exchange.sendEmpty(204, Map.of());
            }
            default -> throw notAllowed();
        }
    }

    private static Map<String, Object> session(dev.stowage.core.access.Session s) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", s.id());
        out.put("client", s.client());
        out.put("issuedAt", s.issuedAt().toString());
        out.put("expiresAt", s.expiresAt().toString());
        out.put("lastUsedAt", s.lastUsedAt() == null ? null : s.lastUsedAt().toString());
        out.put("revokedAt", s.revokedAt() == null ? null : s.revokedAt().toString());
        return out;
    }

    /**
     * GET /api/v1/audit?actor=&action=&repository=&since=&until=&after=&limit=, oldest first, {@code next} to page;
     * since and until are instants or durations back from now ({@link AuditTimes}).
     */
    private void auditQuery(Exchange exchange) {
        int limit;
        long after;
        java.util.Optional<java.time.Instant> since;
        java.util.Optional<java.time.Instant> until;
        try {
            limit = Math.min(1000, Integer.parseInt(exchange.query("limit").orElse("100")));
            after = Long.parseLong(exchange.query("after").orElse("0"));
        } catch (RuntimeException e) {
            throw new RegistryException(ErrorCode.UNSUPPORTED, "limit and after are integers", null, 400);
        }
        java.time.Instant now = java.time.Instant.now();
        try {
            since = exchange.query("since").map(t -> AuditTimes.parse(t, now, "since"));
            until = exchange.query("until").map(t -> AuditTimes.parse(t, now, "until"));
        } catch (IllegalArgumentException e) {
            throw new RegistryException(ErrorCode.UNSUPPORTED, e.getMessage(), null, 400);
        }
        if (since.isPresent() && until.isPresent() && !since.get().isBefore(until.get())) {
            throw new RegistryException(ErrorCode.UNSUPPORTED, "since must be before until (since " + since.get()
                    + ", until " + until.get() + ")", null, 400);
        }
        if (limit < 1) throw new RegistryException(ErrorCode.PAGINATION_NUMBER_INVALID, "limit must be positive");
        List<AuditRecord> records = audit.get().query(after, limit, exchange.query("actor"), exchange.query("action"),
                exchange.query("repository"), since, until);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("records", records.stream().map(r -> {
            try {
                return Exchange.JSON.readTree(AuditTrail.toJson(r));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).toList());
        if (records.size() == limit) body.put("next", records.getLast().sequence());
        exchange.sendJson(200, Map.of(), body);
    }

    private void authorize(Exchange exchange, Action action, String project) {
        authorize(exchange, action, project, null);
    }

    private void authorize(Exchange exchange, Action action, String project, String account) {
        authorize(exchange, action, project, account, false);
    }

    /**
     * For a request that mints or changes a credential or second factor: the access controller wants a fresh
     * password (or provider) sign-in, not a token.
     */
    private void authorizeCredentialChange(Exchange exchange, Action action, String project, String account) {
        authorize(exchange, action, project, account, true);
    }

    private void authorize(Exchange exchange, Action action, String project, String account, boolean changesCredentials) {
        exchange.authorize(access, new AccessRequest(exchange.header(HttpHeaderNames.AUTHORIZATION),
                exchange.clientAddress(), action, Optional.empty(), Optional.ofNullable(project), Optional.ofNullable(account),
                exchange.host(), exchange.secure(), changesCredentials));
    }

    /** The signed-in user the access controller let through (every MANAGE_OWN_ACCOUNT caller is one). */
    private static String caller(Exchange exchange) {
        if (exchange.principal() instanceof dev.stowage.core.access.Principal.User user) return user.username();
        throw new RegistryException(ErrorCode.DENIED, "requested access to the resource is denied", null, 403);
    }

    private static Map<String, Object> ownAccount(AccountService.OwnAccount own) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("username", own.account().username());
        out.put("systemAdmin", own.account().systemAdmin());
        out.put("createdAt", own.account().createdAt().toString());
        out.put("totpEnrolled", own.totpEnrolled());
        out.put("projects", own.memberships().stream().map(x -> {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("project", x.project());
            p.put("role", x.role().name().toLowerCase());
            return p;
        }).toList());
        return out;
    }

    private static Map<String, Object> user(Account a) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("username", a.username());
        out.put("systemAdmin", a.systemAdmin());
        out.put("disabled", a.disabled());
        out.put("createdAt", a.createdAt().toString());
        return out;
    }

    private static Map<String, Object> accessToken(AccessToken t) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", t.id());
        out.put("name", t.name());
        out.put("expiresAt", t.expiresAt() == null ? null : t.expiresAt().toString());
        out.put("createdAt", t.createdAt().toString());
        return out;
    }

    private static Map<String, Object> robot(RobotAccount r) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", r.name());
        out.put("permissions", r.permissions().stream().map(p -> {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("repository", p.repositoryPattern());
            entry.put("actions", p.actions().stream().map(a -> a.name().toLowerCase()).sorted().toList());
            return entry;
        }).toList());
        out.put("expiresAt", r.expiresAt() == null ? null : r.expiresAt().toString());
        out.put("disabled", r.disabled());
        out.put("createdAt", r.createdAt().toString());
        return out;
    }

    /** {@code permissions}: a non-empty array of {repository: pattern, actions: [pull|push|delete, ...]}. */
    private static List<RobotPermission> permissions(JsonNode body) {
        JsonNode list = JsonFields.array(body, "permissions", "{repository, actions}");
        if (list.isEmpty()) throw JsonFields.wrongType("permissions", "must not be empty");
        List<RobotPermission> out = new java.util.ArrayList<>();
        for (JsonNode p : list) {
            if (!p.isObject()) throw JsonFields.wrongType("permissions", "must be an array of {repository, actions} objects");
            JsonFields.requireOnly(p, "permissions", "repository", "actions");
            java.util.Set<Action> actions = java.util.EnumSet.noneOf(Action.class);
            for (String a : JsonFields.strings(p, "actions")) {
                switch (a) {
                    case "pull" -> actions.add(Action.PULL);
                    case "push" -> actions.add(Action.PUSH);
                    case "delete" -> actions.add(Action.DELETE);
                    default -> throw JsonFields.wrongType("actions", "are pull, push, delete");
                }
            }
            String pattern = JsonFields.string(p, "repository");
            if (pattern.isBlank() || pattern.contains("=") || pattern.contains(";") || actions.isEmpty()) {
                throw new RegistryException(ErrorCode.UNSUPPORTED, "each permission needs a repository pattern and actions",
                        null, 400);
            }
            out.add(new RobotPermission(pattern, actions));
        }
        return out;
    }

    /** The longest a personal access token or a robot may live: long-lived credentials are rotated, not forever. */
    static final java.time.Duration MAX_CREDENTIAL_LIFETIME = java.time.Duration.ofDays(3650);

    /** {@code expiresIn}: absent or null for no expiry, else from one second to ten years. */
    private static java.time.Duration expiresIn(JsonNode body) {
        return JsonFields.duration(body, "expiresIn", java.time.Duration.ofSeconds(1), MAX_CREDENTIAL_LIFETIME).orElse(null);
    }

    private static Map<String, Object> member(String username, Role role) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("username", username);
        out.put("role", role.name().toLowerCase());
        return out;
    }

    private static Map<String, Object> project(Project p) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", p.name());
        out.put("public", p.isPublic());
        out.put("allowedNetworks", p.allowedNetworks());
        out.put("createdAt", p.createdAt().toString());
        return out;
    }

    private static Role role(String text) {
        try {
            return Role.valueOf(text.toUpperCase());
        } catch (IllegalArgumentException e) {
            throw new RegistryException(ErrorCode.UNSUPPORTED, "role must be one of guest, developer, maintainer, admin",
                    null, 400);
        }
    }

    /**
     * The JSON object in the body, with only the {@code accepted} fields: every route that reads a body names its
     * fields here, so an unknown or misspelled one is a 400 naming it rather than silently ignored.
     */
    private static JsonNode json(Exchange exchange, String... accepted) {
        return JsonFields.parseObject(readBody(exchange), false, accepted);
    }

    /** As {@link #json}, an empty body being an empty object (for routes whose fields are all optional). */
    private static JsonNode jsonOrEmpty(Exchange exchange, String... accepted) {
        return JsonFields.parseObject(readBody(exchange), true, accepted);
    }

    private static byte[] readBody(Exchange exchange) {
        try {
            return exchange.body().readFully(MAX_BODY, () -> {
                throw new RegistryException(ErrorCode.SIZE_INVALID, "request body too large", null, 413);
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String text(JsonNode body, String field) {
        return JsonFields.string(body, field);
    }

    private static RegistryException badJson() {
        return JsonFields.notAnObject();
    }

    private static RegistryException notAllowed() {
        return new RegistryException(ErrorCode.UNSUPPORTED, "method not allowed", null, 405);
    }

}
