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
    private final PasswordHasher hasher;
    private final RegistryTokens tokens;

    private final boolean createProjectsOnPush;

    public TokenGrants(IdentityStore identities, PasswordHasher hasher, RegistryTokens tokens) {
        this(identities, hasher, tokens, false);
    }

    /**
     * @param createProjectsOnPush a signed-in user asking to push into a project that does not exist creates it
     *                             (private, with them as its admin)
     */
    public TokenGrants(IdentityStore identities, PasswordHasher hasher, RegistryTokens tokens, boolean createProjectsOnPush) {
        this.identities = identities;
        this.hasher = hasher;
        this.tokens = tokens;
        this.createProjectsOnPush = createProjectsOnPush;
    }

    /** The principal behind an Authorization header: absent is anonymous, bad credentials are UNAUTHORIZED. */
    public Principal authenticate(Optional<String> authorization) {
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
        return authenticate(decoded.substring(0, colon), decoded.substring(colon + 1).toCharArray());
    }

    public Principal authenticate(String username, char[] password) {
        if (username.startsWith(RobotAccount.PREFIX)) return authenticateRobot(username, password);
        if (new String(password).startsWith(AccessToken.PREFIX)) return authenticateWithAccessToken(username, password);
        Optional<Account> account = identities.findAccount(username);
        Optional<TotpState> totp = account.isPresent() ? identities.findTotp(username).filter(TotpState::enabled) : Optional.empty();
        // With a second factor, the 6-digit code follows the password: "secret123456".
        char[] secret = password;
        String code = null;
        if (totp.isPresent()) {
            if (password.length < 7) throw secondFactorRequired();
            secret = java.util.Arrays.copyOf(password, password.length - 6);
            code = new String(password, password.length - 6, 6);
        }
        // Hash even for unknown users, so timing does not tell which usernames exist.
        String stored = account.map(Account::passwordHash).orElse(DUMMY_HASH);
        boolean ok = hasher.verify(secret, stored);
        java.util.Arrays.fill(password, '\0');
        java.util.Arrays.fill(secret, '\0');
        if (account.isEmpty() || !ok || account.get().disabled()) throw unauthorized();
        if (totp.isPresent()) {
            java.util.OptionalLong step = Totp.verify(totp.get().secret(), code, java.time.Instant.now(), totp.get().lastStep());
            if (step.isEmpty() || !identities.advanceTotpStep(username, step.getAsLong())) throw secondFactorRequired();
        }
        return new Principal.User(account.get().username(), account.get().systemAdmin());
    }

    private Principal authenticateWithAccessToken(String username, char[] presented) {
        String text = new String(presented);
        java.util.Arrays.fill(presented, '\0');
        String rest = text.substring(AccessToken.PREFIX.length());
        int underscore = rest.indexOf('_');
        Optional<AccessToken> token = underscore > 0 ? identities.findAccessToken(rest.substring(0, underscore)) : Optional.empty();
        String secret = underscore > 0 ? rest.substring(underscore + 1) : "";
        boolean ok = hasher.verify(secret.toCharArray(), token.map(AccessToken::secretHash).orElse(DUMMY_HASH));
        if (token.isEmpty() || !ok || !token.get().username().equals(username) || !token.get().usableAt(java.time.Instant.now())) {
            throw unauthorized();
        }
        Account account = identities.findAccount(username).filter(a -> !a.disabled()).orElseThrow(TokenGrants::unauthorized);
        return new Principal.User(account.username(), account.systemAdmin());
    }

    private Principal authenticateRobot(String name, char[] secret) {
        Optional<RobotAccount> robot = identities.findRobot(name);
        boolean ok = hasher.verify(secret, robot.map(RobotAccount::secretHash).orElse(DUMMY_HASH));
        java.util.Arrays.fill(secret, '\0');
        if (robot.isEmpty() || !ok || !robot.get().usableAt(java.time.Instant.now())) throw unauthorized();
        return new Principal.Robot(robot.get().name(), robot.get().permissions());
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
        Session session = identities.findSession(refresh.sessionId())
                .filter(s -> s.username().equals(refresh.subject()) && s.usableAt(now))
                .orElseThrow(TokenGrants::unauthorized);
        // One write a minute at most: clients refresh every few minutes, the owner's list wants a rough time.
        if (session.lastUsedAt() == null || session.lastUsedAt().isBefore(now.minusSeconds(60))) {
            identities.touchSession(session.id(), now);
        }
        Account account = identities.findAccount(refresh.subject()).filter(a -> !a.disabled()).orElseThrow(TokenGrants::unauthorized);
        return new Principal.User(account.username(), account.systemAdmin());
    }

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    /**
     * A token for the admin API for a person who has just signed in ({@code how}); the registry routes and this
     * endpoint refuse it, and it changes credentials only while the sign-in is recent.
     */
    public RegistryTokens.Issued adminSession(Principal.User user, dev.stowage.core.access.Authentication how) {
        return tokens.issueAdminSession(user.username(), how);
    }

    public RegistryTokens.Issued issue(Principal principal, List<Scope> asked) {
        String subject = switch (principal) {
            case Principal.User user -> user.username();
            case Principal.Robot robot -> robot.name();
            case Principal.Anonymous anonymous -> "";
        };
        return tokens.issue(subject, grant(principal, asked));
    }

    private static boolean isRepositoryName(String name) {
        try {
            RepositoryName.of(name);
            return true;
        } catch (RegistryException e) {
            return false;
        }
    }

    private static RegistryException secondFactorRequired() {
        return new RegistryException(ErrorCode.UNAUTHORIZED, "this account has a second factor: append the current "
                + "6-digit code to the password, or use a personal access token", null, 401);
    }

    private static RegistryException unauthorized() {
        return new RegistryException(ErrorCode.UNAUTHORIZED, "invalid username or password", null, 401);
    }

    private static final String DUMMY_HASH = PasswordHasher.DEFAULT.hash("not a password".toCharArray());
}
