package dev.stowage.core.spi;

import dev.stowage.core.access.AccessToken;
import dev.stowage.core.access.Account;
import dev.stowage.core.access.Project;
import dev.stowage.core.access.Action;
import dev.stowage.core.access.RobotAccount;
import dev.stowage.core.access.RobotPermission;
import dev.stowage.core.access.Role;
import dev.stowage.core.access.Session;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The behaviour every IdentityStore must have. Subclasses supply a fresh, empty store per call. */
public abstract class IdentityStoreContract {
    protected abstract IdentityStore identityStore() throws Exception;

    static final Instant T0 = Instant.ofEpochMilli(1_700_000_000_000L);

    static Account account(String name) {
        return new Account(name, "$argon2id$v=19$m=1024,t=1,p=1$c2FsdA$aGFzaA", false, false, T0);
    }

    @Test
    void accountRoundTripsAndUsernamesAreUnique() throws Exception {
        IdentityStore store = identityStore();
        assertThat(store.createAccount(new Account("admin", "h", true, false, T0))).isTrue();
        assertThat(store.createAccount(account("admin"))).isFalse();
        Account found = store.findAccount("admin").orElseThrow();
        assertThat(found).isEqualTo(new Account("admin", "h", true, false, T0));
        assertThat(store.findAccount("nobody")).isEmpty();
        assertThat(store.countAccounts()).isEqualTo(1);
    }

    @Test
    void passwordAndDisabledFlagCanChange() throws Exception {
        IdentityStore store = identityStore();
        store.createAccount(account("alice"));
        assertThat(store.updatePassword("alice", "new-hash")).isTrue();
        assertThat(store.setDisabled("alice", true)).isTrue();
        Account alice = store.findAccount("alice").orElseThrow();
        assertThat(alice.passwordHash()).isEqualTo("new-hash");
        assertThat(alice.disabled()).isTrue();
        assertThat(store.updatePassword("bob", "x")).isFalse();
    }

    @Test
    void accountsAndProjectsAreListedInByteOrder() throws Exception {
        IdentityStore store = identityStore();
        for (String n : new String[] {"b", "a", "B", "a-b"}) {
            store.createAccount(account(n));
            store.createProject(new Project(n, false, T0));
        }
        assertThat(store.listAccounts(null, 10)).extracting(Account::username).containsExactly("B", "a", "a-b", "b");
        assertThat(store.listAccounts("a", 2)).extracting(Account::username).containsExactly("a-b", "b");
        assertThat(store.listProjects(null, 10)).extracting(Project::name).containsExactly("B", "a", "a-b", "b");
    }

    @Test
    void projectVisibilityCanChange() throws Exception {
        IdentityStore store = identityStore();
        assertThat(store.createProject(new Project("team", false, T0))).isTrue();
        assertThat(store.createProject(new Project("team", true, T0))).isFalse();
        assertThat(store.findProject("team").orElseThrow().isPublic()).isFalse();
        assertThat(store.setProjectPublic("team", true)).isTrue();
        assertThat(store.findProject("team").orElseThrow().isPublic()).isTrue();
        assertThat(store.findProject("none")).isEmpty();
    }

    @Test
    void membershipIsAddedChangedAndRemoved() throws Exception {
        IdentityStore store = identityStore();
        store.createAccount(account("dev"));
        store.createProject(new Project("team", false, T0));
        store.setMember("team", "dev", Role.DEVELOPER);
        assertThat(store.findRole("team", "dev")).contains(Role.DEVELOPER);
        store.setMember("team", "dev", Role.MAINTAINER);
        assertThat(store.members("team")).extracting(m -> m.role()).containsExactly(Role.MAINTAINER);
        assertThat(store.removeMember("team", "dev")).isTrue();
        assertThat(store.findRole("team", "dev")).isEmpty();
        assertThat(store.removeMember("team", "dev")).isFalse();
    }

    @Test
    void robotsRoundTripRotateDisableAndDelete() throws Exception {
        IdentityStore store = identityStore();
        RobotAccount robot = new RobotAccount("robot$ci", "hash-1", List.of(
                new RobotPermission("team/**", Set.of(Action.PULL, Action.PUSH)), new RobotPermission("base/*", Set.of(Action.PULL))),
                T0.plusSeconds(3600), false, T0);
        assertThat(store.createRobot(robot)).isTrue();
        assertThat(store.createRobot(robot)).isFalse();
        RobotAccount found = store.findRobot("robot$ci").orElseThrow();
        assertThat(found.permissions()).isEqualTo(robot.permissions());
        assertThat(found.expiresAt()).isEqualTo(T0.plusSeconds(3600));
        assertThat(store.updateRobotSecret("robot$ci", "hash-2")).isTrue();
        assertThat(store.setRobotDisabled("robot$ci", true)).isTrue();
        assertThat(store.findRobot("robot$ci").orElseThrow()).extracting(RobotAccount::secretHash, RobotAccount::disabled)
                .containsExactly("hash-2", true);
        assertThat(store.listRobots()).hasSize(1);
        assertThat(store.deleteRobot("robot$ci")).isTrue();
        assertThat(store.findRobot("robot$ci")).isEmpty();
    }

    @Test
    void accessTokensBelongToTheirUserAndGoWithTheAccount() throws Exception {
        IdentityStore store = identityStore();
        store.createAccount(account("dev"));
        store.createAccount(account("ops"));
        store.createAccessToken(new AccessToken("a1", "dev", "laptop", "h1", T0.plusSeconds(60), T0));
        store.createAccessToken(new AccessToken("a2", "dev", "ci", "h2", null, T0.plusSeconds(1)));
        assertThat(store.findAccessToken("a1").orElseThrow().expiresAt()).isEqualTo(T0.plusSeconds(60));
        assertThat(store.findAccessToken("a2").orElseThrow().expiresAt()).isNull();
        assertThat(store.accessTokens("dev")).extracting(AccessToken::id).containsExactly("a1", "a2");
        assertThat(store.deleteAccessToken("ops", "a1")).isFalse();
        assertThat(store.deleteAccessToken("dev", "a1")).isTrue();
        assertThat(store.accessTokens("dev")).extracting(AccessToken::id).containsExactly("a2");
    }

    @Test
    void signingKeysAreAddedRetiredAndPruned() throws Exception {
        IdentityStore store = identityStore();
        store.addSigningKey(new StoredSigningKey("k1", "{\"kty\":\"EC\"}", T0, null));
        store.addSigningKey(new StoredSigningKey("k2", "{}", T0.plusSeconds(10), null));
        store.retireSigningKeysExcept("k2", T0.plusSeconds(20));
        assertThat(store.signingKeys()).containsExactly(
                new StoredSigningKey("k1", "{\"kty\":\"EC\"}", T0, T0.plusSeconds(20)),
                new StoredSigningKey("k2", "{}", T0.plusSeconds(10), null));
        store.deleteSigningKeysRetiredBefore(T0.plusSeconds(30));
        assertThat(store.signingKeys()).extracting(StoredSigningKey::keyId).containsExactly("k2");
    }

    @Test
    void membershipNeedsAnExistingProjectAndAccount() throws Exception {
        IdentityStore store = identityStore();
        store.createAccount(account("dev"));
        assertThatThrownBy(() -> store.setMember("missing", "dev", Role.GUEST)).isInstanceOf(RuntimeException.class);
        store.createProject(new Project("team", false, T0));
        assertThatThrownBy(() -> store.setMember("team", "ghost", Role.GUEST)).isInstanceOf(RuntimeException.class);
    }

    @Test
    void sessionsAreListedRevokedOneByOneOrAllAndPruned() throws Exception {
        IdentityStore store = identityStore();
        store.createAccount(account("dev"));
        store.createAccount(account("ops"));
        store.createSession(new Session("s1", "dev", T0, T0.plusSeconds(100), null, null, "docker login"));
        store.createSession(new Session("s2", "dev", T0.plusSeconds(1), T0.plusSeconds(100), null, null, "oidc"));
        store.createSession(new Session("s3", "dev", T0.plusSeconds(2), T0.plusSeconds(10), null, null, null));
        store.createSession(new Session("s4", "ops", T0, T0.plusSeconds(100), null, null, null));
        assertThat(store.sessions("dev", T0.plusSeconds(5))).extracting(Session::id).containsExactly("s3", "s2", "s1");
        assertThat(store.sessions("dev", T0.plusSeconds(20))).extracting(Session::id).containsExactly("s2", "s1");

        assertThat(store.revokeSession("ops", "s1", T0.plusSeconds(3))).isFalse();
        assertThat(store.revokeSession("dev", "s1", T0.plusSeconds(3))).isTrue();
        assertThat(store.revokeSession("dev", "s1", T0.plusSeconds(4))).isFalse();
        assertThat(store.findSession("s1").orElseThrow().revokedAt()).isEqualTo(T0.plusSeconds(3));
        assertThat(store.findSession("s1").orElseThrow().usableAt(T0.plusSeconds(5))).isFalse();
        assertThat(store.findSession("s2").orElseThrow().usableAt(T0.plusSeconds(5))).isTrue();

        store.touchSession("s2", T0.plusSeconds(6));
        assertThat(store.findSession("s2").orElseThrow().lastUsedAt()).isEqualTo(T0.plusSeconds(6));
        assertThat(store.revokeSessions("dev", T0.plusSeconds(7))).isEqualTo(2);
        assertThat(store.findSession("s2").orElseThrow().revokedAt()).isEqualTo(T0.plusSeconds(7));
        assertThat(store.findSession("s4").orElseThrow().revokedAt()).isNull();

        store.deleteSessionsExpiredBefore(T0.plusSeconds(50));
        assertThat(store.findSession("s3")).isEmpty();
        assertThat(store.findSession("s1")).isPresent();
    }

    @Test
    void externalIdentitiesLinkOnceAndGoWithTheAccount() throws Exception {
        IdentityStore store = identityStore();
        store.createAccount(account("alice"));
        assertThat(store.linkExternalIdentity("https://idp", "sub-1", "alice")).isTrue();
        assertThat(store.linkExternalIdentity("https://idp", "sub-1", "alice")).isFalse();
        assertThat(store.findExternalIdentity("https://idp", "sub-1")).contains("alice");
        assertThat(store.findExternalIdentity("https://other", "sub-1")).isEmpty();
        assertThat(store.setSystemAdmin("alice", true)).isTrue();
        assertThat(store.findAccount("alice").orElseThrow().systemAdmin()).isTrue();
        assertThat(store.setSystemAdmin("ghost", true)).isFalse();
    }

    @Test
    void grantedMembershipsFollowTheMappingButNeverOverrideAnAdministrator() throws Exception {
        IdentityStore store = identityStore();
        store.createAccount(account("alice"));
        for (String p : List.of("a", "b", "c")) store.createProject(new Project(p, false, T0));
        store.setMember("c", "alice", Role.ADMIN);

        store.syncGrantedMemberships("alice", "oidc", Map.of("a", Role.DEVELOPER, "b", Role.GUEST, "c", Role.GUEST,
                "missing", Role.ADMIN));
        assertThat(store.findRole("a", "alice")).contains(Role.DEVELOPER);
        assertThat(store.findRole("b", "alice")).contains(Role.GUEST);
        assertThat(store.findRole("c", "alice")).contains(Role.ADMIN);

        store.syncGrantedMemberships("alice", "oidc", Map.of("a", Role.MAINTAINER));
        assertThat(store.findRole("a", "alice")).contains(Role.MAINTAINER);
        assertThat(store.findRole("b", "alice")).isEmpty();
        assertThat(store.findRole("c", "alice")).contains(Role.ADMIN);

        store.setMember("a", "alice", Role.GUEST);
        store.syncGrantedMemberships("alice", "oidc", Map.of());
        assertThat(store.findRole("a", "alice")).contains(Role.GUEST);
    }
}
