package dev.stowage.identity;

import dev.stowage.core.ErrorCode;
import dev.stowage.core.RegistryException;
import dev.stowage.core.RepositoryName;
import dev.stowage.core.access.AccessToken;
import dev.stowage.core.access.Account;
import dev.stowage.core.access.Membership;
import dev.stowage.core.access.Project;
import dev.stowage.core.access.RobotAccount;
import dev.stowage.core.access.RobotPermission;
import dev.stowage.core.access.Role;
import dev.stowage.core.access.TotpState;
import dev.stowage.core.spi.IdentityStore;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** The admin use cases on accounts, projects and members, with their validation. Authorization happens before. */
public final class AccountService {
    private static final Pattern USERNAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    public static final int MIN_PASSWORD_LENGTH = 12;

    private final IdentityStore identities;
    private final PasswordHasher hasher;
    private final Clock clock;

    private final java.util.Optional<SigningKeys> keys;

    public AccountService(IdentityStore identities, PasswordHasher hasher, Clock clock) {
        this(identities, hasher, clock, java.util.Optional.empty());
    }

    public AccountService(IdentityStore identities, PasswordHasher hasher, Clock clock, java.util.Optional<SigningKeys> keys) {
        this.identities = identities;
        this.hasher = hasher;
        this.clock = clock;
        this.keys = keys;
    }

    /** Ids of the token signing keys that verify now, current first. */
    public List<String> signingKeyIds() {
        return signingKeys().activeKeyIds();
    }

    /** A new signing key for new tokens; tokens signed by the old one stay valid through the grace period. */
    public String rotateSigningKey() {
        return signingKeys().rotate();
    }

    private SigningKeys signingKeys() {
        return keys.orElseThrow(() -> new RegistryException(ErrorCode.NOT_FOUND, "no signing keys on this registry"));
    }

    public Account createUser(String username, char[] password, boolean systemAdmin) {
        if (username == null || !USERNAME.matcher(username).matches()) {
            throw new RegistryException(ErrorCode.NAME_INVALID, "usernames are 1-64 of a-z 0-9 . _ - starting with a letter or digit");
        }
        requireStrong(password);
        Account account = new Account(username, hasher.hash(password), systemAdmin, false, clock.instant());
        if (!identities.createAccount(account)) throw new RegistryException(ErrorCode.CONFLICT, "user " + username + " exists");
        return account;
    }

    public void setPassword(String username, char[] password) {
        requireStrong(password);
        if (!identities.updatePassword(username, hasher.hash(password))) throw unknown("user", username);
        // A new password is usually a response to a leak: every session signed in with the old one ends.
        identities.revokeSessions(username, clock.instant());
    }

    public void setDisabled(String username, boolean disabled) {
        if (!identities.setDisabled(username, disabled)) throw unknown("user", username);
        if (disabled) identities.revokeSessions(username, clock.instant());
    }

    /**
     * Deletes the account and everything only it had (personal access tokens, sessions, second factor, memberships,
     * provider links); its tokens stop working at once. Refused (409) for the caller's own account and for the last
     * enabled system administrator, either of which would leave no one able to administer the registry.
     */
    public void deleteUser(String actor, String username) {
        if (username.equals(actor)) {
            throw new RegistryException(ErrorCode.CONFLICT, "you cannot delete your own account (" + username
                    + "): another system administrator has to", null, 409);
        }
        switch (identities.deleteAccount(username)) {
            case DELETED -> { }
            case NO_SUCH_ACCOUNT -> throw unknown("user", username);
            case LAST_SYSTEM_ADMIN -> throw new RegistryException(ErrorCode.CONFLICT, username + " is the last system "
                    + "administrator: make another account a system administrator before deleting it", null, 409);
        }
    }

    /** What a signed-in person sees of their own account. */
    public record OwnAccount(Account account, boolean totpEnrolled, List<Membership> memberships) {}

    public OwnAccount ownAccount(String username) {
        Account account = user(username);
        boolean totp = identities.findTotp(username).filter(TotpState::enabled).isPresent();
        return new OwnAccount(account, totp, identities.memberships(username));
    }

    /**
     * A person's own password change: the current password must be given (a stolen token or an unlocked terminal is
     * not enough), the new one follows the same rules as an administrator's, and every session ends.
     */
    public void changeOwnPassword(String username, char[] currentPassword, char[] newPassword) {
        Account account = user(username);
        if (account.passwordHash() == null) {
            throw new RegistryException(ErrorCode.CONFLICT, username + " signs in through the identity provider and has "
                    + "no password here; change it at the provider", null, 409);
        }
        if (currentPassword == null || !hasher.verify(currentPassword, account.passwordHash())) {
            throw new RegistryException(ErrorCode.UNSUPPORTED, "currentPassword is not this account's password", null, 400);
        }
        setPassword(username, newPassword);
    }

    public Account user(String username) {
        return identities.findAccount(username).orElseThrow(() -> unknown("user", username));
    }

    public List<Account> users() {
        return identities.listAccounts(null, 10_000);
    }

    public Project createProject(String name, boolean isPublic) {
        if (name == null || name.contains("/") || !isRepositoryComponent(name)) {
            throw new RegistryException(ErrorCode.NAME_INVALID, "a project name is one repository path component");
        }
        Project project = new Project(name, isPublic, clock.instant());
        if (!identities.createProject(project)) throw new RegistryException(ErrorCode.CONFLICT, "project " + name + " exists");
        return project;
    }

    public Project project(String name) {
        return identities.findProject(name).orElseThrow(() -> unknown("project", name));
    }

    public List<Project> projects() {
        return identities.listProjects(null, 10_000);
    }

    public void setPublic(String name, boolean isPublic) {
        if (!identities.setProjectPublic(name, isPublic)) throw unknown("project", name);
    }

    /** Comma-separated CIDRs the project's repositories may be reached from; empty for anywhere. */
    public void setNetworks(String name, String networks) {
        String normalized = networks == null ? "" : networks.replace(" ", "");
        for (String n : normalized.split(",")) {
            if (n.isEmpty()) continue;
            try {
                dev.stowage.core.access.Cidr.parse(n);
            } catch (IllegalArgumentException e) {
                throw new RegistryException(ErrorCode.UNSUPPORTED, "not a network: " + n, null, 400);
            }
        }
        if (!identities.setProjectNetworks(name, normalized)) throw unknown("project", name);
    }

    public List<Membership> members(String project) {
        project(project);
        return identities.members(project);
    }

    public void setMember(String project, String username, Role role) {
        project(project);
        user(username);
        identities.setMember(project, username, role);
    }

    public void removeMember(String project, String username) {
        if (!identities.removeMember(project, username)) throw unknown("member", username);
    }

    public Optional<Role> role(String project, String username) {
        return identities.findRole(project, username);
    }

    /** A new robot and its secret, which is shown only now. */
    public record NewSecret(RobotAccount robot, String secret) {}

    /**
     * A system robot, {@code robot$<name>}. Its name is a username's ({@code +} is not allowed): {@code robot$a+b} is
     * project a's robot b, a name space that only project a's routes create in.
     */
    public NewSecret createRobot(String name, List<RobotPermission> permissions, java.time.Duration lifetime) {
        if (name == null || !USERNAME.matcher(name).matches()) {
            throw new RegistryException(ErrorCode.NAME_INVALID, "system robot names are 1-64 of a-z 0-9 . _ - (no '+': "
                    + "robot$<project>+<name> are project robots, created at /api/v1/projects/<project>/robots)");
        }
        return create(RobotAccount.PREFIX + name, null, permissions, lifetime);
    }

    private NewSecret create(String fullName, String project, List<RobotPermission> permissions, java.time.Duration lifetime) {
        if (permissions.isEmpty()) throw new RegistryException(ErrorCode.UNSUPPORTED, "a robot needs permissions", null, 400);
        for (int i = 0; i < permissions.size(); i++) {
            int index = i;
            patternProblem(permissions.get(i).repositoryPattern()).ifPresent(problem -> {
                throw badPermission(index, problem);
            });
        }
        String secret = newSecret();
        RobotAccount robot = new RobotAccount(fullName, hasher.hash(secret.toCharArray()), permissions,
                lifetime == null ? null : clock.instant().plus(lifetime), false, clock.instant(), project);
        if (!identities.createRobot(robot)) throw new RegistryException(ErrorCode.CONFLICT, "robot " + fullName + " exists");
        return new NewSecret(robot, secret);
    }

    /**
     * A robot of one project, named {@code robot$<project>+<name>}, that its project's administrators manage. Its
     * permissions can only name repositories of the project.
     */
    public NewSecret createProjectRobot(String project, String name, List<RobotPermission> permissions,
                                        java.time.Duration lifetime) {
        project(project);
        if (name == null || !USERNAME.matcher(name).matches()) {
            throw new RegistryException(ErrorCode.NAME_INVALID, "robot names are 1-64 of a-z 0-9 . _ -");
        }
        for (int i = 0; i < permissions.size(); i++) {
            String pattern = permissions.get(i).repositoryPattern();
            if (!pattern.startsWith(project + "/")) {
                // A mistake in the request, not a lack of rights: 400 saying what to write instead.
                throw badPermission(i, "a robot of project " + project + " may only name its repositories ("
                        + project + "/...), not " + pattern);
            }
        }
        return create(RobotAccount.projectRobotName(project, name), project, permissions, lifetime);
    }

    /**
     * The project's robot called {@code name} (the part after {@code robot$<project>+}): only a robot recorded as the
     * project's, never a system robot whose name merely starts with {@code <project>+}.
     */
    public RobotAccount projectRobot(String project, String name) {
        return identities.findRobot(RobotAccount.projectRobotName(project, name))
                .filter(r -> project.equals(r.project())).orElseThrow(() -> unknown("robot", name));
    }

    public List<RobotAccount> projectRobots(String project) {
        project(project);
        return identities.listRobots().stream().filter(r -> project.equals(r.project())).toList();
    }

    /** A new secret; the old one stops working at once. */
    public NewSecret rotateRobot(String fullName) {
        return rotateRobot(fullName, Optional.empty());
    }

    /**
     * A new secret, and with {@code lifetime} a new expiry counted from now (how an expired robot is renewed without
     * changing its name); the old secret stops working at once.
     */
    public NewSecret rotateRobot(String fullName, Optional<java.time.Duration> lifetime) {
        robot(fullName);
        String secret = newSecret();
        identities.updateRobotSecret(fullName, hasher.hash(secret.toCharArray()));
        lifetime.ifPresent(l -> identities.setRobotExpiry(fullName, clock.instant().plus(l)));
        return new NewSecret(robot(fullName), secret);
    }

    /**
     * What is wrong with a robot's repository pattern, if anything: path components of a repository name's characters
     * ({@code a-z 0-9 . _ -}), or {@code *} and {@code **} wildcards in them; anything else would never match.
     */
    static Optional<String> patternProblem(String pattern) {
        if (pattern.startsWith("/") || pattern.endsWith("/") || pattern.contains("//")) {
            return Optional.of("permission pattern " + pattern + ": empty path component (write team/** or team/app)");
        }
        for (String component : pattern.split("/")) {
            if (!component.matches("[a-z0-9._*-]+")) {
                return Optional.of("permission pattern " + pattern + ": '" + component + "' is not a repository path "
                        + "component (lowercase a-z 0-9 . _ - and the wildcards * and **)");
            }
        }
        return Optional.empty();
    }

    private static RegistryException badPermission(int index, String problem) {
        return new RegistryException(ErrorCode.UNSUPPORTED, "permissions[" + index + "].repository: " + problem, null, 400);
    }

    public RobotAccount robot(String fullName) {
        return identities.findRobot(fullName).orElseThrow(() -> unknown("robot", fullName));
    }

    public List<RobotAccount> robots() {
        return identities.listRobots();
    }

    public void setRobotDisabled(String fullName, boolean disabled) {
        if (!identities.setRobotDisabled(fullName, disabled)) throw unknown("robot", fullName);
    }

    public void deleteRobot(String fullName) {
        if (!identities.deleteRobot(fullName)) throw unknown("robot", fullName);
    }

    /** A new personal access token; the plaintext is shown only now. */
    public record NewAccessToken(AccessToken token, String plaintext) {}

    public NewAccessToken createAccessToken(String username, String name, java.time.Duration lifetime) {
        user(username);
        if (name == null || name.isBlank() || name.length() > 100) {
            throw new RegistryException(ErrorCode.UNSUPPORTED, "a token needs a name (up to 100 characters)", null, 400);
        }
        byte[] idBytes = new byte[6];
        new java.security.SecureRandom().nextBytes(idBytes);
        String id = java.util.HexFormat.of().formatHex(idBytes);
        String secret = newSecret();
        AccessToken token = new AccessToken(id, username, name, hasher.hash(secret.toCharArray()),
                lifetime == null ? null : clock.instant().plus(lifetime), clock.instant());
        identities.createAccessToken(token);
        return new NewAccessToken(token, AccessToken.PREFIX + id + "_" + secret);
    }

    public List<AccessToken> accessTokens(String username) {
        user(username);
        return identities.accessTokens(username);
    }

    public void revokeAccessToken(String username, String id) {
        if (!identities.deleteAccessToken(username, id)) throw unknown("token", id);
    }

    /** What an external provider's sign-in grants are recorded as, so the next sign-in can take them back. */
    static final String PROVIDER_GRANT = "oidc";

    /**
     * The account of a user an external provider vouched for: linked by the provider's (issuer, subject), created
     * on first sign-in as {@code username} (without a password), its provider-granted memberships made exactly
     * {@code roles}, and, when the provider decides it, its system-administrator flag.
     */
    public Account signInExternal(String issuer, String subject, String username, Optional<Boolean> systemAdmin,
                                  java.util.Map<String, Role> roles) {
        Optional<String> linked = identities.findExternalIdentity(issuer, subject);
        String name;
        if (linked.isPresent()) {
            name = linked.get();
        } else {
            if (!USERNAME.matcher(username).matches()) {
                throw new RegistryException(ErrorCode.UNAUTHORIZED, "sign-in failed: '" + username
                        + "' is not a valid username (1-64 of a-z 0-9 . _ -)", null, 401);
            }
            boolean created = identities.createAccount(new Account(username, null, systemAdmin.orElse(false), false,
                    clock.instant()));
            if (!created && identities.findExternalIdentity(issuer, subject).isEmpty()) {
                // Never take over a local account because a provider uses the same name.
                throw new RegistryException(ErrorCode.DENIED, "sign-in failed: the username " + username
                        + " belongs to another account", null, 403);
            }
            identities.linkExternalIdentity(issuer, subject, username);
            name = identities.findExternalIdentity(issuer, subject).orElse(username);
        }
        Account account = user(name);
        if (account.disabled()) throw new RegistryException(ErrorCode.UNAUTHORIZED, "sign-in failed: the account is disabled", null, 401);
        if (systemAdmin.isPresent() && systemAdmin.get() != account.systemAdmin()) identities.setSystemAdmin(name, systemAdmin.get());
        identities.syncGrantedMemberships(name, PROVIDER_GRANT, roles);
        return user(name);
    }

    public List<dev.stowage.core.access.Session> sessions(String username) {
        user(username);
        return identities.sessions(username, clock.instant());
    }

    public void revokeSession(String username, String id) {
        if (!identities.revokeSession(username, id, clock.instant())) throw unknown("session", id);
    }

    /** Signs the account out everywhere; answers how many sessions ended. */
    public int revokeSessions(String username) {
        user(username);
        return identities.revokeSessions(username, clock.instant());
    }

    /** Starts TOTP enrollment: a new secret, not yet required until {@link #confirmTotp} sees a valid code. */
    public record TotpEnrollment(String secret, String uri) {}

    /**
     * A new, unconfirmed secret (an unconfirmed one may be replaced by starting again). Refused with 409 while a
     * confirmed factor exists: replacing it here would switch the second factor off until the new secret is confirmed
     * (perhaps never), so the confirmed one has to be removed first, which needs the password and its current code.
     */
    public TotpEnrollment enrollTotp(String username) {
        user(username);
        if (identities.findTotp(username).filter(TotpState::enabled).isPresent()) {
            throw new RegistryException(ErrorCode.CONFLICT, "a confirmed second factor exists: remove it first (DELETE "
                    + "/api/v1/users/" + username + "/totp, signed in with the password and its current code), then "
                    + "enroll the new authenticator", null, 409);
        }
        String secret = Totp.newSecret();
        identities.setTotp(username, secret, false);
        return new TotpEnrollment(secret, Totp.otpauthUri("Stowage", username, secret));
    }

    public void confirmTotp(String username, String code) {
        TotpState state = identities.findTotp(username).orElseThrow(() -> unknown("enrollment", username));
        java.util.OptionalLong step = Totp.verify(state.secret(), code, clock.instant(), 0);
        if (step.isEmpty()) throw new RegistryException(ErrorCode.UNSUPPORTED, "the code does not match", null, 400);
        identities.setTotp(username, state.secret(), true);
        identities.advanceTotpStep(username, step.getAsLong());
    }

    public void removeTotp(String username) {
        user(username);
        identities.setTotp(username, null, false);
    }

    private static String newSecret() {
        byte[] random = new byte[32];
        new java.security.SecureRandom().nextBytes(random);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    private static boolean isRepositoryComponent(String name) {
        try {
            RepositoryName.of(name);
            return true;
        } catch (RegistryException e) {
            return false;
        }
    }

    /**
     * The one password rule: for the API, the first administrator's password and offline resets alike. Throws a 400
     * {@link RegistryException} saying what is required.
     */
    public static void requireStrong(char[] password) {
        if (password == null || password.length < MIN_PASSWORD_LENGTH) {
            throw new RegistryException(ErrorCode.UNSUPPORTED, "passwords need at least " + MIN_PASSWORD_LENGTH + " characters",
                    null, 400);
        }
    }

    private static RegistryException unknown(String what, String name) {
        return new RegistryException(ErrorCode.NOT_FOUND, what + " not found: " + name);
    }
}
