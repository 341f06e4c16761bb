package dev.stowage.identity;

import dev.stowage.core.ErrorCode;
import dev.stowage.core.RegistryException;
import dev.stowage.core.RepositoryName;
import dev.stowage.core.access.AccessToken;
import dev.stowage.core.access.Account;
import dev.stowage.core.access.Action;
import dev.stowage.core.access.Permissions;
import dev.stowage.core.access.Principal;
import dev.stowage.core.access.Project;
import dev.stowage.core.access.RobotAccount;
import dev.stowage.core.access.Session;
import dev.stowage.core.access.Role;
import dev.stowage.core.access.TotpState;
import dev.stowage.core.access.Scope;
import dev.stowage.core.spi.IdentityStore;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What the token endpoint hands out: it authenticates the caller (Basic credentials, or none for anonymous) and
 * grants, for each scope asked, the intersection of what was asked and what the caller may do.
 */
public final class TokenGrants {
    private final IdentityStore identities;
    private final CredentialVerifier verifier;
    private final LoginThrottle throttle;
    private final RegistryTokens tokens;

    private final boolean createProjectsOnPush;

    public TokenGrants(IdentityStore identities, PasswordHasher hasher, RegistryTokens tokens) {
        this(identities, hasher, tokens, false);
    }

    /** With the default bounds on hashing and failed sign-ins. */
    public TokenGrants(IdentityStore identities, PasswordHasher hasher, RegistryTokens tokens, boolean createProjectsOnPush) {
        this(identities, new CredentialVerifier(hasher, CredentialVerifier.Settings.defaults()),
                new LoginThrottle(LoginThrottle.Settings.DEFAULTS), tokens, createProjectsOnPush);
    }

    /**
     * @param verifier             checks secrets against stored hashes, off the request threads and with a bound
     * @param throttle             refuses guessing before it costs a hash
     * @param createProjectsOnPush a signed-in user asking to push into a project that does not exist creates it
     *                             (private, with them as its admin)
     */
    public TokenGrants(IdentityStore identities, CredentialVerifier verifier, LoginThrottle throttle, RegistryTokens tokens,
                       boolean createProjectsOnPush) {
        this.identities = identities;
        this.verifier = verifier;
        this.throttle = throttle;
        this.tokens = tokens;
        this.createProjectsOnPush = createProjectsOnPush;
    }

    /** As {@link #authenticate(Optional, String)} from an address not known (only per-account throttling applies). */
    public Principal authenticate(Optional<String> authorization) {
        return authenticate(authorization, "");
    }

    /**
     * The principal behind an Authorization header: absent is anonymous, bad credentials are UNAUTHORIZED, too many
     * recent failures TOOMANYREQUESTS (429), too many verifications in progress UNAVAILABLE (503).
     *
     * @param clientAddress where the request comes from, for the per-address failure limit ("" if unknown)
     */
    public Principal authenticate(Optional<String> authorization, String clientAddress) {
        if (authorization.isEmpty()) return Principal.ANONYMOUS;
        String header = authorization.get();
        if (!header.regionMatches(true, 0, "Basic ", 0, 6)) throw unauthorized();
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw unauthorized();
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0) throw unauthorized();
        return authenticate(decoded.substring(0, colon), decoded.substring(colon + 1).toCharArray(), clientAddress);
    }

    /** As {@link #authenticate(String, char[], String)} from an address not known. */
    public Principal authenticate(String username, char[] password) {
        return authenticate(username, password, "");
    }

    /**
     * A user (password, with the TOTP code appended once a second factor is set up, or a personal access token) or a
     * robot (its secret). Every failure counts against the address, and a password's against the account too; an
     * attempt that has to wait is refused before anything is hashed.
     * <p>
     * Robot secrets and personal access tokens are not throttled per account: they are 256-bit random values that
     * no one guesses, so a per-account backoff would protect nothing and only let anyone who knows the name lock
     * them out. Nor is a password that matched a moment ago (docker re-sends it with every token request): it is
     * proven correct and costs no hash, so an attacker failing on the account does not keep its owner out.
     */
    public Principal authenticate(String username, char[] password, String clientAddress) {
        String address = clientAddress == null ? "" : clientAddress;
        boolean robot = username.startsWith(RobotAccount.PREFIX);
        boolean accessToken = !robot && new String(password).startsWith(AccessToken.PREFIX);
        String throttledAccount = robot || accessToken ? null : username;
        LoginThrottle.Attempt attempt;
        try {
            attempt = throttle.begin(throttledAccount, address, () -> recentlyVerifiedPassword(username, password));
        } catch (RegistryException e) {
            java.util.Arrays.fill(password, '\0');
            tarpit(e);
            throw e;
        }
        SignIn signIn;
        try {
            if (robot) {
                signIn = authenticateRobot(username, password);
            } else if (accessToken) {
                signIn = authenticateWithAccessToken(username, password);
            } else {
                signIn = authenticateUser(username, password);
            }
        } catch (RegistryException e) {
            if (e.httpStatus() == 401) throttle.failed(throttledAccount, address);
            throw e;
        } finally {
            attempt.close(); // after the failure is counted, so that the attempt is never counted as neither
        }
        // Only a password checked now clears the failures: a client re-sending recently verified credentials every few
        // seconds must not hand a guesser a fresh allowance each time.
        if (!robot && !accessToken && signIn.hashed()) throttle.succeeded(username);
        return signIn.principal();
    }

    /** How long a throttled sign-in waits for its refusal. */
    static final java.time.Duration TARPIT = java.time.Duration.ofSeconds(1);

    /**
     * A throttled sign-in gets its 429 only after a second: a flood then costs one answer per connection per second
     * instead of as many as the connections can carry, so it cannot crowd out pulls. The caller is a virtual thread:
     * the wait holds no carrier thread, and the connection caps bound how many can wait.
     */
    private static void tarpit(RegistryException refusal) {
        if (refusal.httpStatus() != 429) return;
        try {
            Thread.sleep(TARPIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Whether {@code password} is the password of an account without a second factor that matched a moment ago (no
     * hash: an HMAC lookup). Accounts with a second factor never qualify: their code is checked every time, and
     * guessing codes must stay throttled.
     */
    private boolean recentlyVerifiedPassword(String username, char[] password) {
        Optional<Account> account = identities.findAccount(username);
        if (account.isEmpty() || account.get().passwordHash() == null) return false;
        if (identities.findTotp(username).filter(TotpState::enabled).isPresent()) return false;
        return verifier.recentlyVerified("password", username, password, account.get().passwordHash());
    }

    /** Who signed in, and whether their secret was hashed for it (false: it matched a moment ago). */
    private record SignIn(Principal principal, boolean hashed) {}

    private SignIn authenticateUser(String username, char[] password) {
        Optional<Account> account = identities.findAccount(username);
        Optional<TotpState> totp = account.isPresent() ? identities.findTotp(username).filter(TotpState::enabled) : Optional.empty();
        // With a second factor, the 6-digit code follows the password: "secret123456".
        // A missing or wrong code gets the same answer as a wrong password (the same message, after the same hash): the
        // answer must not tell someone without the authenticator that the password part was right.
        char[] secret = password;
        String code = null;
        if (totp.isPresent() && password.length > 6) {
            secret = java.util.Arrays.copyOf(password, password.length - 6);
            code = new String(password, password.length - 6, 6);
        }
        // Hash even for unknown users, so timing does not tell which usernames exist. Only the password part is
        // remembered as verified: the code below is checked (and spent) every time.
        String stored = account.map(Account::passwordHash).orElseGet(() -> Dummy.HASH);
        CredentialVerifier.Result result;
        try {
            result = verifier.verify("password", username, secret, stored);
        } finally {
            java.util.Arrays.fill(password, '\0');
            java.util.Arrays.fill(secret, '\0');
        }
        if (account.isEmpty() || !result.matches()) throw unauthorized();
        if (totp.isPresent()) {
            if (code == null) throw unauthorized();
            java.util.OptionalLong step = Totp.verify(totp.get().secret(), code, java.time.Instant.now(), totp.get().lastStep());
            if (step.isEmpty() || !identities.advanceTotpStep(username, step.getAsLong())) throw unauthorized();
        }
        // Past this point the password (and the code) are proven: the caller may learn why it still cannot sign in.
        if (account.get().disabled()) throw accountDisabled(username);
        return new SignIn(new Principal.User(account.get().username(), account.get().systemAdmin()),
                result == CredentialVerifier.Result.MATCH);
    }

    private SignIn authenticateWithAccessToken(String username, char[] presented) {
        String text = new String(presented);
        java.util.Arrays.fill(presented, '\0');
        String rest = text.substring(AccessToken.PREFIX.length());
        int underscore = rest.indexOf('_');
        String id = underscore > 0 ? rest.substring(0, underscore) : "";
        Optional<AccessToken> token = underscore > 0 ? identities.findAccessToken(id) : Optional.empty();
        String secret = underscore > 0 ? rest.substring(underscore + 1) : "";
        CredentialVerifier.Result result = verifier.verify("token", id, secret.toCharArray(),
                token.map(AccessToken::secretHash).orElseGet(() -> Dummy.HASH));
        if (token.isEmpty() || !result.matches() || !token.get().username().equals(username)) throw unauthorized();
        // The token's secret is proven: say what is wrong with it.
        if (!token.get().usableAt(java.time.Instant.now())) {
            throw new RegistryException(ErrorCode.UNAUTHORIZED, "personal access token " + token.get().name() + " expired on "
                    + token.get().expiresAt() + "; create a new one", null, 401);
        }
        Account account = identities.findAccount(username).orElseThrow(TokenGrants::unauthorized);
        if (account.disabled()) throw accountDisabled(username);
        return new SignIn(new Principal.User(account.username(), account.systemAdmin()), result == CredentialVerifier.Result.MATCH);
    }

    private SignIn authenticateRobot(String name, char[] secret) {
        Optional<RobotAccount> robot = identities.findRobot(name);
        CredentialVerifier.Result result;
        try {
            result = verifier.verify("robot", name, secret, robot.map(RobotAccount::secretHash).orElseGet(() -> Dummy.HASH));
        } finally {
            java.util.Arrays.fill(secret, '\0');
        }
        if (robot.isEmpty() || !result.matches()) throw unauthorized();
        robotStanding(robot.get(), java.time.Instant.now()).ifPresent(refusal -> {
            throw refusal;
        });
        return new SignIn(new Principal.Robot(robot.get().name(), robot.get().permissions()), result == CredentialVerifier.Result.MATCH);
    }

    /** The scopes granted: each asked scope restricted to what the principal may do; unknown types get nothing. */
    public List<Scope> grant(Principal principal, List<Scope> asked) {
        List<Scope> granted = new ArrayList<>();
        for (Scope scope : asked) {
            Set<String> allowed = new HashSet<>();
            if (scope.type().equals(Scope.REGISTRY) && scope.name().equals("catalog")) {
                if (Permissions.mayListCatalog(principal)) allowed.add("*");
            } else if (scope.type().equals(Scope.REPOSITORY) && isRepositoryName(scope.name())) {
                String project = RepositoryName.of(scope.name()).project();
                Optional<Boolean> isPublic = identities.findProject(project).map(Project::isPublic);
                if (isPublic.isEmpty() && createProjectsOnPush && scope.actions().contains("push")
                        && principal instanceof Principal.User user) {
                    if (identities.createProject(new Project(project, false, java.time.Instant.now()))) {
                        identities.setMember(project, user.username(), Role.ADMIN);
                    }
                    isPublic = identities.findProject(project).map(Project::isPublic);
                }
                Set<Action> actions;
                if (principal instanceof Principal.Robot robot) {
                    actions = Permissions.forRobot(robot, scope.name(), isPublic);
                } else {
                    Optional<Role> role = principal instanceof Principal.User user
                            ? identities.findRole(project, user.username()) : Optional.empty();
                    actions = Permissions.onRepository(principal, isPublic, role);
                }
                for (Action action : actions) allowed.add(Scope.actionName(action));
            }
            granted.add(scope.restrictTo(allowed));
        }
        return granted;
    }

    /** A refresh token for a signed-in user, recorded as a session (robots and anonymous callers get none). */
    public Optional<String> refreshTokenFor(Principal principal, String client) {
        if (!(principal instanceof Principal.User user)) return Optional.empty();
        java.time.Instant now = java.time.Instant.now();
        byte[] id = new byte[12];
        RANDOM.nextBytes(id);
        Session session = new Session(java.util.HexFormat.of().formatHex(id), user.username(), now,
                now.plus(RegistryTokens.REFRESH_LIFETIME), null, null, client);
        identities.createSession(session);
        return Optional.of(tokens.issueRefresh(user.username(), session.id(), session.expiresAt()));
    }

    /**
     * The user behind a refresh token, as the account is now: revoked sessions and disabled or deleted accounts lose
     * their tokens.
     */
    public Principal authenticateRefresh(String refreshToken) {
        RegistryTokens.Refresh refresh = tokens.verifyRefresh(refreshToken);
        java.time.Instant now = java.time.Instant.now();
        // The refresh token is genuine (signed by this registry): the caller may learn what became of its session.
        Session session = identities.findSession(refresh.sessionId())
                .filter(s -> s.username().equals(refresh.subject()) && s.revokedAt() == null)
                .orElseThrow(TokenGrants::revoked);
        if (!session.usableAt(now)) throw new RegistryException(ErrorCode.UNAUTHORIZED, SESSION_EXPIRED, null, 401);
        // One write a minute at most: clients refresh every few minutes, the owner's list wants a rough time.
        if (session.lastUsedAt() == null || session.lastUsedAt().isBefore(now.minusSeconds(60))) {
            identities.touchSession(session.id(), now);
        }
        Account account = identities.findAccount(refresh.subject()).orElseThrow(TokenGrants::revoked);
        if (account.disabled()) throw accountDisabled(account.username());
        return new Principal.User(account.username(), account.systemAdmin());
    }

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    /**
     * A token for the admin API for a person who has just signed in ({@code how}); the registry routes and this
     * endpoint refuse it, and it changes credentials only while the sign-in is recent.
     */
    public RegistryTokens.Issued adminSession(Principal.User user, dev.stowage.core.access.Authentication how) {
        return tokens.issueAdminSession(user.username(), identities.findAccount(user.username()).map(Account::createdAt)
                .orElse(null), how);
    }

    public RegistryTokens.Issued issue(Principal principal, List<Scope> asked) {
        String subject = switch (principal) {
            case Principal.User user -> user.username();
            case Principal.Robot robot -> robot.name();
            case Principal.Anonymous anonymous -> "";
        };
        // Bound to this account or robot: one created later under the same name is not the token's subject.
        java.time.Instant since = switch (principal) {
            case Principal.User user -> identities.findAccount(user.username()).map(Account::createdAt).orElse(null);
            case Principal.Robot robot -> identities.findRobot(robot.name()).map(RobotAccount::createdAt).orElse(null);
            case Principal.Anonymous anonymous -> null;
        };
        return tokens.issue(subject, since, grant(principal, asked));
    }

    private static boolean isRepositoryName(String name) {
        try {
            RepositoryName.of(name);
            return true;
        } catch (RegistryException e) {
            return false;
        }
    }

    /**
     * The one answer to every wrong sign-in: a wrong password, an unknown account, and a right password with a wrong,
     * missing or replayed code alike (so the answer tells neither whether the password part was right nor whether
     * the account has a second factor).
     */
    public static final String INVALID_CREDENTIALS = "invalid username or password (accounts with a second factor "
            + "append the current 6-digit code to the password, or use a personal access token)";

    private static RegistryException unauthorized() {
        return new RegistryException(ErrorCode.UNAUTHORIZED, INVALID_CREDENTIALS, null, 401);
    }

    /*
     * What a caller whose credential is genuine is told when it still does not work. Never said before the secret or
     * the token's signature is proven: to anyone else every failure is INVALID_CREDENTIALS.
     */

    /** A revoked session, a revoked token, or one whose account was deleted. */
    public static final String TOKEN_REVOKED = "token revoked; sign in again";
    public static final String SESSION_EXPIRED = "token expired; sign in again";

    static RegistryException revoked() {
        return new RegistryException(ErrorCode.UNAUTHORIZED, TOKEN_REVOKED, null, 401);
    }

    static RegistryException accountDisabled(String username) {
        return new RegistryException(ErrorCode.UNAUTHORIZED, "account disabled: " + username
                + " cannot sign in until an administrator enables it again", null, 401);
    }

    /** Why a robot whose secret (or token) is genuine cannot act now, if it cannot. */
    static Optional<RegistryException> robotStanding(RobotAccount robot, java.time.Instant now) {
        if (robot.disabled()) {
            return Optional.of(new RegistryException(ErrorCode.UNAUTHORIZED, "robot account " + robot.name()
                    + " is disabled; an administrator can enable it again", null, 401));
        }
        if (!robot.usableAt(now)) {
            return Optional.of(new RegistryException(ErrorCode.UNAUTHORIZED, "robot account " + robot.name() + " expired on "
                    + robot.expiresAt() + "; rotate it with a new expiresIn or recreate it", null, 401));
        }
        return Optional.empty();
    }

    /**
     * Stands in for a missing account's hash; made from a random secret, so that nothing ever matches it. In a holder:
     * hashing takes a noticeable part of a start (Argon2), and is only needed at the first sign-in with an unknown name.
     */
    private static final class Dummy {
        static final String HASH = PasswordHasher.DEFAULT.hash(java.util.UUID.randomUUID().toString().toCharArray());
    }
}
