package dev.stowage.core.spi;

import dev.stowage.core.access.AccessToken;
import dev.stowage.core.access.Account;
import dev.stowage.core.access.Membership;
import dev.stowage.core.access.Project;
import dev.stowage.core.access.Role;
import dev.stowage.core.access.TotpState;
import dev.stowage.core.access.RobotAccount;

import java.time.Instant;
import java.util.List;
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

    /** Signing keys still kept: active ones (no retiredAt) and retired ones not yet removed. */
    List<StoredSigningKey> signingKeys();

    void addSigningKey(StoredSigningKey key);

    /** Retires every active key but {@code keepKeyId}. */
    void retireSigningKeysExcept(String keepKeyId, Instant at);

    void deleteSigningKeysRetiredBefore(Instant cutoff);
}
