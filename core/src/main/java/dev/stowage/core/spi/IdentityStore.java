package dev.stowage.core.spi;

import dev.stowage.core.access.AccessToken;
import dev.stowage.core.access.Account;
import dev.stowage.core.access.Membership;
import dev.stowage.core.access.Project;
import dev.stowage.core.access.Role;
import dev.stowage.core.access.TotpState;
import dev.stowage.core.access.RobotAccount;
import dev.stowage.core.access.Session;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Accounts, projects and who may do what in them. Blocking; each method is one transaction. */
public interface IdentityStore {

    /** Creates the account; answers false (and changes nothing) when the username is taken. */
    boolean createAccount(Account account);

    Optional<Account> findAccount(String username);

    long countAccounts();

    /** Accounts after {@code after} (exclusive; null for the start), byte order, at most limit. */
    List<Account> listAccounts(String after, int limit);

    boolean updatePassword(String username, String passwordHash);

    boolean setDisabled(String username, boolean disabled);

    /** What {@link #deleteAccount} did. */
    enum AccountDeletion { DELETED, NO_SUCH_ACCOUNT, LAST_SYSTEM_ADMIN }

    /**
     * Deletes the account with everything that is only its (personal access tokens, sessions, second factor,
     * memberships, links to an identity provider), in one transaction; refused while it is the last enabled system
     * administrator. Audit records are not touched: they name the account, not refer to it.
     */
    AccountDeletion deleteAccount(String username);

    /** The account's memberships, by project name. */
    List<Membership> memberships(String username);

    /**
     * The account as every authenticated request checks it (does it still exist, is it enabled, since when): may
     * answer from a cache that this store's own writes keep current, so that other nodes' changes are seen within a
     * second and this node's at once.
     */
    default Optional<Account> findAccountForRequest(String username) {
        return findAccount(username);
    }

    /**
     * What {@link #findAccountForRequest} would answer now, if it can answer without reading the database (an event
     * loop must not block): the outer Optional is empty when it cannot.
     */
    default Optional<Optional<Account>> findAccountForRequestInMemory(String username) {
        return Optional.empty();
    }

    /** As {@link #findAccountForRequestInMemory}, for robots. */
    default Optional<Optional<RobotAccount>> findRobotForRequestInMemory(String name) {
        return Optional.empty();
    }

    /** As {@link #findAccountForRequest}, for robots. */
    default Optional<RobotAccount> findRobotForRequest(String name) {
        return findRobot(name);
    }

    /**
     * A number that changes with every change this store makes on this node to accounts, robots, projects (visibility,
     * networks) and memberships: what a caller remembers of them under one generation is stale once it has moved.
     * Other nodes' changes do not move it, so such memory must also be short.
     */
    long generation();

    /** Creates the project; answers false when it exists. */
    boolean createProject(Project project);

    Optional<Project> findProject(String name);

    boolean setProjectPublic(String name, boolean isPublic);

    List<Project> listProjects(String after, int limit);

    /** Sets the networks the project's repositories may be reached from (comma-separated CIDRs; empty: anywhere). */
    boolean setProjectNetworks(String name, String allowedNetworks);

    /** Adds the member or changes their role. The project and the account must exist. */
    void setMember(String project, String username, Role role);

    boolean removeMember(String project, String username);

    Optional<Role> findRole(String project, String username);

    List<Membership> members(String project);

    /** Creates a robot; answers false when the name is taken. */
    boolean createRobot(RobotAccount robot);

    Optional<RobotAccount> findRobot(String name);

    List<RobotAccount> listRobots();

    boolean updateRobotSecret(String name, String secretHash);

    boolean setRobotDisabled(String name, boolean disabled);

    boolean setRobotExpiry(String name, Instant expiresAt);

    boolean deleteRobot(String name);

    void createAccessToken(AccessToken token);

    Optional<AccessToken> findAccessToken(String id);

    List<AccessToken> accessTokens(String username);

    boolean deleteAccessToken(String username, String id);

    /** The account's second factor, if one was ever set up. */
    Optional<TotpState> findTotp(String username);

    /** Sets (or with a null secret, removes) the second factor; {@code enabled} once the user proved a code. */
    boolean setTotp(String username, String secret, boolean enabled);

    /** Records that {@code step}'s code was used, only if no later step was: false means a replay. */
    boolean advanceTotpStep(String username, long step);

    void createSession(Session session);

    Optional<Session> findSession(String id);

    /** The account's sessions that have not expired yet, revoked ones included, newest first. */
    List<Session> sessions(String username, Instant now);

    boolean revokeSession(String username, String id, Instant at);

    /** Revokes every live session of the account; answers how many. */
    int revokeSessions(String username, Instant at);

    void touchSession(String id, Instant at);

    void deleteSessionsExpiredBefore(Instant cutoff);

    /** The account an external identity provider's user was provisioned as. */
    Optional<String> findExternalIdentity(String issuer, String subject);

    /** Links the provider's user to the account; false when that (issuer, subject) is linked already. */
    boolean linkExternalIdentity(String issuer, String subject, String username);

    boolean setSystemAdmin(String username, boolean systemAdmin);

    /**
     * Makes the memberships that {@code grantedBy} gave the account exactly {@code roles} (project to role): adds,
     * changes and removes its own grants, never touching a membership an administrator set.
     */
    void syncGrantedMemberships(String username, String grantedBy, Map<String, Role> roles);

    /** Signing keys still kept: active ones (no retiredAt) and retired ones not yet removed. */
    List<StoredSigningKey> signingKeys();

    void addSigningKey(StoredSigningKey key);

    /** Retires every active key but {@code keepKeyId}. */
    void retireSigningKeysExcept(String keepKeyId, Instant at);

    void deleteSigningKeysRetiredBefore(Instant cutoff);
}
