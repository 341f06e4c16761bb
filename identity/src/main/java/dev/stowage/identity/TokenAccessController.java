package dev.stowage.identity;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.stowage.core.ErrorCode;
import dev.stowage.core.RegistryException;
import dev.stowage.core.RepositoryName;
import dev.stowage.core.access.AccessController;
import dev.stowage.core.access.AccessRequest;
import dev.stowage.core.access.AccessToken;
import dev.stowage.core.access.Authentication;
import dev.stowage.core.access.Account;
import dev.stowage.core.access.Action;
import dev.stowage.core.access.Cidr;
import dev.stowage.core.access.Permissions;
import dev.stowage.core.access.Principal;
import dev.stowage.core.access.Project;
import dev.stowage.core.access.Role;
import dev.stowage.core.access.Scope;
import dev.stowage.core.spi.IdentityStore;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The one access check for every route. Registry routes speak the Docker token protocol: a Bearer token must
 * grant the route's action on its repository; without one, anonymous pulls of public projects pass and everything
 * else is answered 401 with a challenge naming the realm, service and scope to ask for (private and missing
 * repositories get the same answer). Management routes (the admin API) take Basic credentials, personal access
 * tokens and admin session tokens (never registry tokens), decide by {@link Permissions}, and let a request that
 * mints or changes a credential through only with a fresh password or provider sign-in ({@link #FRESH_PROOF}).
 */
public final class TokenAccessController implements AccessController {
    private final RegistryTokens tokens;
    private final TokenGrants grants;
    private final IdentityStore identities;
    private final AuthSettings settings;
    /**
     * Verifying an ES256 signature costs far more than a lookup, and clients reuse one token for many requests: a
     * verified token is kept until it expires, keyed by its SHA-256 (the token itself is a credential and is not
     * kept), and every use checks again what can change: its expiry, its key (rotated out past the grace period, or
     * deleted) and its subject's standing (disabled, deleted), exactly as the first verification did.
     */
    private final Cache<String, RegistryTokens.Verified> verified = Caffeine.newBuilder()
            .maximumSize(10_000)
            .expireAfter(new com.github.benmanes.caffeine.cache.Expiry<String, RegistryTokens.Verified>() {
                public long expireAfterCreate(String key, RegistryTokens.Verified token, long now) {
                    return Math.max(0, Duration.between(Instant.now(), RegistryTokens.validUntil(token)).toNanos());
                }

                public long expireAfterUpdate(String key, RegistryTokens.Verified token, long now, long current) {
                    return expireAfterCreate(key, token, now);
                }

                public long expireAfterRead(String key, RegistryTokens.Verified token, long now, long current) {
                    return current;
                }
            })
            .build();
    /**
     * Projects as the request path needs them (visibility, networks), each with the identity store's generation it
     * was read under: a change made on this node is seen at once, one made on another node within seconds.
     */
    private final Cache<String, KnownProject> projects = Caffeine.newBuilder()
            .maximumSize(10_000).expireAfterWrite(Duration.ofSeconds(5)).build();

    private record KnownProject(Optional<Project> project, long generation) {}

    /** The project as last read, unless this node has changed identities since; null when there is none. */
    private KnownProject knownProject(String name) {
        KnownProject known = projects.getIfPresent(name);
        return known != null && known.generation() == identities.generation() ? known : null;
    }

    public TokenAccessController(RegistryTokens tokens, TokenGrants grants, IdentityStore identities, AuthSettings settings) {
        this.tokens = tokens;
        this.grants = grants;
        this.identities = identities;
        this.settings = settings;
    }

    /** Where the registry check reads what it needs: the stores (may block), or only what is in memory already. */
    private interface Facts {
        Optional<Project> project(String name);

        /** The verified token; a RegistryException when it is not valid. */
        RegistryTokens.Verified token(String bearer);

        Optional<Account> account(String username);

        Optional<dev.stowage.core.access.RobotAccount> robot(String name);
    }

    /** A fact the in-memory check would have to read from a store: the ordinary check decides instead. */
    private static final class NotInMemory extends RuntimeException {
        NotInMemory() {
            super(null, null, false, false);
        }
    }

    private static final NotInMemory NOT_IN_MEMORY = new NotInMemory();

    private final Facts fromStores = new Facts() {
        public Optional<Project> project(String name) {
            KnownProject known = knownProject(name);
            if (known != null) return known.project();
            long generation = identities.generation(); // before reading: a change while it reads is not missed
            Optional<Project> project = identities.findProject(name);
            projects.put(name, new KnownProject(project, generation));
            return project;
        }

        public RegistryTokens.Verified token(String bearer) {
            String key = tokenKey(bearer);
            RegistryTokens.Verified token = verified.getIfPresent(key);
            if (token == null || !tokens.stillValid(token)) {
                token = tokens.verify(bearer);
                verified.put(key, token);
            }
            return token;
        }

        public Optional<Account> account(String username) { return identities.findAccountForRequest(username); }

        public Optional<dev.stowage.core.access.RobotAccount> robot(String name) { return identities.findRobotForRequest(name); }
    };

    private final Facts inMemory = new Facts() {
        public Optional<Project> project(String name) {
            KnownProject known = knownProject(name);
            if (known == null) throw NOT_IN_MEMORY;
            return known.project();
        }

        public RegistryTokens.Verified token(String bearer) {
            RegistryTokens.Verified token = verified.getIfPresent(tokenKey(bearer));
            if (token == null || !tokens.stillValid(token)) throw NOT_IN_MEMORY;
            return token;
        }

        public Optional<Account> account(String username) {
            return identities.findAccountForRequestInMemory(username).orElseThrow(() -> NOT_IN_MEMORY);
        }

        public Optional<dev.stowage.core.access.RobotAccount> robot(String name) {
            return identities.findRobotForRequestInMemory(name).orElseThrow(() -> NOT_IN_MEMORY);
        }
    };

    @Override
    public Principal authorize(AccessRequest request) {
        return isManagement(request.action()) ? authorizeManagement(request) : authorizeRegistry(request, fromStores);
    }

    /**
     * The same registry check as {@link #authorize}, from what is in memory only (an event loop answering a cached
     * manifest must not block): a principal when it lets the request through; empty when it would refuse or would
     * have to read a store, and then the ordinary check decides (and answers any refusal).
     */
    @Override
    public Optional<Principal> authorizeFromMemory(AccessRequest request) {
        if (isManagement(request.action())) return Optional.empty();
        try {
            return Optional.of(authorizeRegistry(request, inMemory));
        } catch (NotInMemory | RegistryException e) {
            return Optional.empty();
        }
    }

    private static boolean isManagement(Action action) {
        return switch (action) {
            case MANAGE_PROJECT, MANAGE_SYSTEM, MANAGE_ACCOUNT, MANAGE_OWN_ACCOUNT, READ_PROJECT, DELETE_REPOSITORY, SCAN_ARTIFACT,
                 ADMIT_IMAGE -> true;
            default -> false;
        };
    }

    /** The cache key of a token: its SHA-256, so the cache never holds the credential itself. */
    private static String tokenKey(String bearer) {
        java.security.MessageDigest sha256 = SHA256.get();
        return java.util.HexFormat.of().formatHex(sha256.digest(bearer.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    /** One per thread (event loops and workers): looking the algorithm up costs more than hashing a token. */
    private static final ThreadLocal<java.security.MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    private Principal authorizeRegistry(AccessRequest request, Facts facts) {
        Principal principal = authorizeRegistryCaller(request, facts);
        Optional<Project> project = request.project().flatMap(facts::project);
        if (project.isPresent() && !Cidr.anyContains(project.get().allowedNetworks(), request.clientAddress())) {
            throw new RegistryException(ErrorCode.DENIED, "requests from this address are not allowed for this project",
                    null, 403).refusing(nameOf(principal));
        }
        return principal;
    }

    private Principal authorizeRegistryCaller(AccessRequest request, Facts facts) {
        Optional<String> bearer = bearer(request);
        String scope = scopeFor(request);
        if (bearer.isEmpty()) {
            if (request.repository().isPresent() && anonymousMay(request.action(), request.repository().get(), facts)) {
                return Principal.ANONYMOUS;
            }
            throw challenge(request, scope, null, "authentication required");
        }
        RegistryTokens.Verified token;
        try {
            token = facts.token(bearer.get());
        } catch (RegistryException e) {
            throw challenge(request, scope, "invalid_token", e.getMessage());
        }
        subjectStanding(token, facts).ifPresent(refusal -> {
            throw challenge(request, scope, "invalid_token", refusal);
        });
        boolean allowed = switch (request.action()) {
            case PING -> true;
            case CATALOG -> token.allows(Scope.REGISTRY, "catalog", "*");
            default -> token.allows(Scope.REPOSITORY, request.repository().orElseThrow().value(),
                    Scope.actionName(request.action()));
        };
        if (!allowed) {
            throw challenge(request, scope, "insufficient_scope", "the token does not grant this action").refusing(token.subject());
        }
        return token.subject().isEmpty() ? Principal.ANONYMOUS : new Principal.User(token.subject(), false);
    }

    /**
     * Why a registry token's subject may no longer act, if it may not: a token stands for its account or robot as it
     * is now, so deleting or disabling one (or a robot's expiry) ends its tokens at once, and an account created after
     * the token was issued (a new account of a deleted one's name) is not the one it was issued to.
     */
    private Optional<String> subjectStanding(RegistryTokens.Verified token, Facts facts) {
        String subject = token.subject();
        if (subject == null || subject.isEmpty()) return Optional.empty();
        if (subject.startsWith(RegistryTokens.SCANNER_SUBJECT_PREFIX)) return Optional.empty(); // minted for one scan
        Instant now = Instant.now();
        if (subject.startsWith(dev.stowage.core.access.RobotAccount.PREFIX)) {
            Optional<dev.stowage.core.access.RobotAccount> robot = facts.robot(subject);
            if (robot.isEmpty() || !sameSubject(token.issuedAt(), token.subjectSince(), robot.get().createdAt())) {
                return Optional.of(TokenGrants.TOKEN_REVOKED);
            }
            return TokenGrants.robotStanding(robot.get(), now).map(RegistryException::getMessage);
        }
        Optional<Account> account = facts.account(subject);
        if (account.isEmpty() || !sameSubject(token.issuedAt(), token.subjectSince(), account.get().createdAt())) {
            return Optional.of(TokenGrants.TOKEN_REVOKED);
        }
        if (account.get().disabled()) return Optional.of(TokenGrants.accountDisabled(subject).getMessage());
        return Optional.empty();
    }

    /**
     * Whether the account or robot created at {@code createdAt} is the one a token was issued to: the token names its
     * creation time; one that does not (issued before tokens did) must at least not be older than the account.
     */
    private static boolean sameSubject(Instant issuedAt, Instant subjectSince, Instant createdAt) {
        if (subjectSince != null) return subjectSince.toEpochMilli() == createdAt.toEpochMilli();
        return !issuedAt.isBefore(createdAt.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    }

    /**
     * How recent a password or provider sign-in must be to mint or change a credential with it: long enough to
     * sign in and create a token, short enough that a session token left in a terminal's history is no longer one.
     */
    public static final Duration FRESH_PROOF = Duration.ofMinutes(5);

    private static String nameOf(Principal principal) {
        return principal instanceof Principal.User user ? user.username() : null;
    }

    private Principal authorizeManagement(AccessRequest request) {
        Principal principal = authenticateManagement(request);
        if (principal instanceof Principal.Anonymous) throw basicChallenge("authentication required");
        boolean allowed = switch (request.action()) {
            case MANAGE_SYSTEM -> Permissions.mayManageSystem(principal);
            case MANAGE_ACCOUNT -> Permissions.mayManageAccount(principal, request.account().orElse(""));
            case MANAGE_OWN_ACCOUNT -> Permissions.mayManageOwnAccount(principal);
            case READ_PROJECT -> Permissions.mayReadProject(principal, request.project().flatMap(p -> roleOf(principal, p)));
            case DELETE_REPOSITORY -> Permissions.mayDeleteRepository(principal,
                    request.project().flatMap(p -> roleOf(principal, p)));
            case SCAN_ARTIFACT -> Permissions.mayScan(principal, request.project().flatMap(p -> roleOf(principal, p)));
            case ADMIT_IMAGE -> Permissions.mayAdmit(principal, request.repository().map(RepositoryName::value),
                    request.project().flatMap(fromStores::project).map(Project::isPublic),
                    request.project().flatMap(p -> roleOf(principal, p)));
            default -> Permissions.mayManageProject(principal, request.project().flatMap(p -> roleOf(principal, p)));
        };
        if (!allowed) {
            throw new RegistryException(ErrorCode.DENIED, "requested access to the resource is denied", null, 403)
                    .refusing(nameOf(principal));
        }
        if (request.changesCredentials() && !(principal instanceof Principal.User user
                && user.authentication().isFreshAt(Instant.now(), FRESH_PROOF))) {
            throw basicChallenge("this change needs a fresh sign-in: send the password (with the current TOTP code "
                    + "when the account has a second factor) as Basic credentials, or use an admin session token from a "
                    + "sign-in less than " + FRESH_PROOF.toMinutes() + " minutes old; personal access tokens and older "
                    + "sessions cannot mint or change credentials").refusing(nameOf(principal));
        }
        return principal;
    }

    /**
     * The admin API's callers: Basic credentials (a password, or a personal access token in its place), a personal
     * access token or an admin session token as Bearer. Registry tokens are refused: they are short-lived grants for
     * the registry routes, and one scoped to a single pull must never become an admin credential.
     */
    private Principal authenticateManagement(AccessRequest request) {
        Optional<String> bearer = bearer(request);
        if (bearer.isEmpty()) {
            Principal principal = grants.authenticate(request.authorization(), request.clientAddress());
            if (!(principal instanceof Principal.User user)) return principal;
            Authentication.Method method = presentsAccessToken(request.authorization().orElseThrow())
                    ? Authentication.Method.ACCESS_TOKEN : Authentication.Method.PASSWORD;
            return user.authenticatedBy(new Authentication(method, Instant.now()));
        }
        String token = bearer.get();
        if (token.startsWith(AccessToken.PREFIX)) return accessTokenHolder(token, request.clientAddress());
        RegistryTokens.AdminSession session;
        try {
            session = tokens.verifyAdminSession(token);
        } catch (RegistryException e) {
            if (RegistryTokens.isExpiry(e)) throw basicChallenge(TokenGrants.SESSION_EXPIRED);
            throw basicChallenge("registry tokens are not accepted by the admin API: use Basic credentials, a personal "
                    + "access token or an admin session token");
        }
        Account account = accountOf(session.subject(), session.issuedAt(), session.subjectSince());
        return new Principal.User(account.username(), account.systemAdmin(), session.authentication());
    }

    /** {@code Bearer stowage_pat_<id>_<secret>}: the token names its account, and is checked as a Basic password is. */
    private Principal accessTokenHolder(String token, String clientAddress) {
        String rest = token.substring(AccessToken.PREFIX.length());
        int underscore = rest.indexOf('_');
        String owner = underscore > 0 ? identities.findAccessToken(rest.substring(0, underscore)).map(AccessToken::username)
                .orElse("") : "";
        // An unknown id still goes through the check (and fails there), so timing does not tell ids apart.
        Principal principal = grants.authenticate(owner.isEmpty() ? "-" : owner, token.toCharArray(), clientAddress);
        return principal instanceof Principal.User user
                ? user.authenticatedBy(new Authentication(Authentication.Method.ACCESS_TOKEN, Instant.now())) : principal;
    }

    /** Whether Basic credentials carry a personal access token where the password goes. */
    private static boolean presentsAccessToken(String authorization) {
        if (!authorization.regionMatches(true, 0, "Basic ", 0, 6)) return false;
        try {
            String decoded = new String(java.util.Base64.getDecoder().decode(authorization.substring(6).trim()),
                    java.nio.charset.StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon >= 0 && decoded.startsWith(AccessToken.PREFIX, colon + 1);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * A token stands for its account as the account is now: disabled or deleted accounts lose their tokens, and a
     * later account of the same name never inherits them.
     */
    private Account accountOf(String username, Instant issuedAt, Instant subjectSince) {
        Account account = identities.findAccountForRequest(username)
                .filter(a -> sameSubject(issuedAt, subjectSince, a.createdAt()))
                .orElseThrow(() -> basicChallenge(TokenGrants.TOKEN_REVOKED));
        if (account.disabled()) throw basicChallenge(TokenGrants.accountDisabled(username).getMessage());
        return account;
    }

    private Optional<Role> roleOf(Principal principal, String project) {
        return principal instanceof Principal.User user ? identities.findRole(project, user.username()) : Optional.empty();
    }

    private static Optional<String> bearer(AccessRequest request) {
        return request.authorization().filter(h -> h.regionMatches(true, 0, "Bearer ", 0, 7)).map(h -> h.substring(7).trim());
    }

    private boolean anonymousMay(Action action, RepositoryName repository, Facts facts) {
        Optional<Boolean> isPublic = facts.project(repository.project()).map(Project::isPublic);
        return Permissions.onRepository(Principal.ANONYMOUS, isPublic, Optional.empty()).contains(action);
    }

    /** The scope a client should ask for: push routes ask for pull too, as Docker clients do. */
    private static String scopeFor(AccessRequest request) {
        if (request.action() == Action.CATALOG) return "registry:catalog:*";
        // an admin route asks about a repository's project, not for a registry token's scope: no scope to name
        return request.repository().map(repository -> switch (request.action()) {
            case PULL -> "repository:" + repository + ":pull";
            case PUSH -> "repository:" + repository + ":pull,push";
            case DELETE -> "repository:" + repository + ":delete";
            default -> null;
        }).orElse(null);
    }

    private RegistryException challenge(AccessRequest request, String scope, String error, String message) {
        StringBuilder header = new StringBuilder("Bearer realm=\"").append(settings.realmFor(request.host(), request.secure()))
                .append("\",service=\"").append(settings.service()).append('"');
        if (scope != null) header.append(",scope=\"").append(scope).append('"');
        if (error != null) header.append(",error=\"").append(error).append('"');
        return new RegistryException(ErrorCode.UNAUTHORIZED, message, null, 401)
                .withHeader("WWW-Authenticate", header.toString());
    }

    private static RegistryException basicChallenge(String message) {
        return new RegistryException(ErrorCode.UNAUTHORIZED, message, null, 401)
                .withHeader("WWW-Authenticate", "Basic realm=\"stowage\"");
    }
}
