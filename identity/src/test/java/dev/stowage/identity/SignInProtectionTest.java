package dev.stowage.identity;

import dev.stowage.core.RegistryException;
import dev.stowage.core.access.Account;
import dev.stowage.core.access.Principal;
import dev.stowage.core.access.RobotAccount;
import dev.stowage.metadata.JdbcIdentityStore;
import dev.stowage.metadata.JdbcMetadataStore;
import dev.stowage.metadata.MetadataConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Hole 5 of issue 8: bounded, throttled and remembered password checks in {@link TokenGrants}. */
class SignInProtectionTest {
    static final PasswordHasher FAST = new PasswordHasher(1024, 1, 1);
    static final String ATTACKER = "198.51.100.7";
    static final String OWNER = "203.0.113.20";

    /** A clock the test moves. */
    static final class TestClock implements InstantSource {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public Instant instant() { return now; }

        void advance(Duration d) { now = now.plus(d); }
    }

    @TempDir Path dir;
    JdbcMetadataStore db;
    JdbcIdentityStore identities;
    CredentialVerifier verifier;
    TestClock clock = new TestClock();
    TokenGrants grants;

    @BeforeEach
    void open() {
        db = JdbcMetadataStore.open(new MetadataConfig("jdbc:sqlite:" + dir.resolve("m.db"), "", "", 0));
        identities = new JdbcIdentityStore(db);
        identities.createAccount(new Account("dev", FAST.hash("pw".toCharArray()), false, false, Instant.now()));
        RegistryTokens tokens = new RegistryTokens(SigningKeys.shared(identities, Clock.systemUTC(), Duration.ofHours(1)),
                "stowage", "stowage", Duration.ofMinutes(5), Clock.systemUTC());
        verifier = new CredentialVerifier(FAST, new CredentialVerifier.Settings(1, 64, Duration.ofSeconds(60)));
        grants = new TokenGrants(identities, verifier, new LoginThrottle(LoginThrottle.Settings.DEFAULTS, clock), tokens, false);
    }

    @AfterEach
    void close() {
        verifier.close();
        db.close();
    }

    Principal signIn(String user, String password, String address) {
        return grants.authenticate(user, password.toCharArray(), address);
    }

    static int statusOf(Runnable attempt) {
        try {
            attempt.run();
            return 200;
        } catch (RegistryException e) {
            return e.httpStatus();
        }
    }

    @Test
    void sameCredentialsSignedInAgainAreNotHashedAgain() {
        signIn("dev", "pw", OWNER);
        signIn("dev", "pw", OWNER);
        assertThat(signIn("dev", "pw", OWNER)).isEqualTo(new Principal.User("dev", false));
        assertThat(verifier.hashesComputed()).isEqualTo(1);
    }

    @Test
    void wrongPasswordsAreNeverRememberedAndAlwaysHashed() {
        assertThat(statusOf(() -> signIn("dev", "nope", OWNER))).isEqualTo(401);
        assertThat(statusOf(() -> signIn("dev", "nope", OWNER))).isEqualTo(401);
        assertThat(verifier.hashesComputed()).isEqualTo(2);
    }

    @Test
    void aChangedPasswordIsCheckedAgainstTheNewHash() {
        signIn("dev", "pw", OWNER);
        identities.updatePassword("dev", FAST.hash("new-pw".toCharArray()));
        assertThat(statusOf(() -> signIn("dev", "pw", OWNER))).isEqualTo(401);
        assertThat(signIn("dev", "new-pw", OWNER)).isEqualTo(new Principal.User("dev", false));
    }

    @Test
    void aDisabledAccountIsRefusedEvenRightAfterItsPasswordWasVerified() {
        signIn("dev", "pw", OWNER);
        identities.setDisabled("dev", true);
        assertThat(statusOf(() -> signIn("dev", "pw", OWNER))).isEqualTo(401);
    }

    @Test
    void aTotpCodeWorksOnceEvenWhileThePasswordIsRememberedAsVerified() {
        String secret = Totp.newSecret();
        identities.setTotp("dev", secret, true);
        String code = Totp.codeAt(secret, Instant.now());
        assertThat(signIn("dev", "pw" + code, OWNER)).isEqualTo(new Principal.User("dev", false));
        assertThat(statusOf(() -> signIn("dev", "pw" + code, OWNER))).isEqualTo(401);
        assertThat(verifier.hashesComputed()).isEqualTo(1);
    }

    @Test
    void robotSecretsAreRememberedAndARotationInvalidatesTheOldOne() {
        identities.createRobot(new RobotAccount("robot$ci", FAST.hash("s1".toCharArray()), List.of(), null, false, Instant.now()));
        grants.authenticate("robot$ci", "s1".toCharArray(), OWNER);
        grants.authenticate("robot$ci", "s1".toCharArray(), OWNER);
        assertThat(verifier.hashesComputed()).isEqualTo(1);
        identities.updateRobotSecret("robot$ci", FAST.hash("s2".toCharArray()));
        assertThat(statusOf(() -> grants.authenticate("robot$ci", "s1".toCharArray(), OWNER))).isEqualTo(401);
    }

    @Test
    void pastFiveFailuresAnAccountIsRefusedWith429WithoutHashing() {
        for (int i = 0; i < 5; i++) assertThat(statusOf(() -> signIn("dev", "guess", ATTACKER))).isEqualTo(401);
        assertThatThrownBy(() -> signIn("dev", "pw", ATTACKER))
                .isInstanceOfSatisfying(RegistryException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(429);
                    assertThat(e.code().name()).isEqualTo("TOOMANYREQUESTS");
                    assertThat(e.headers()).containsEntry("Retry-After", "1");
                    assertThat(e.getMessage()).startsWith("too many failed sign-ins for this account");
                });
        assertThat(verifier.hashesComputed()).isEqualTo(5);
    }

    @Test
    void theBackoffDoublesWithEachFailureUpToItsMaximumAndNeverLocksForever() {
        for (int i = 0; i < 5; i++) statusOf(() -> signIn("dev", "guess", ATTACKER));
        long[] waits = new long[12];
        for (int i = 0; i < waits.length; i++) {
            try {
                signIn("dev", "guess", ATTACKER);
            } catch (RegistryException e) {
                if (e.httpStatus() == 401) throw new AssertionError("attempt " + i + " was tried during the backoff");
                waits[i] = Long.parseLong(e.headers().get("Retry-After").toString());
                clock.advance(Duration.ofSeconds(waits[i]));
                assertThat(statusOf(() -> signIn("dev", "guess", ATTACKER))).isEqualTo(401);
            }
        }
        assertThat(waits).startsWith(1, 2, 4, 8, 16, 32, 64, 128, 256, 300).endsWith(300, 300);
        clock.advance(Duration.ofSeconds(300));
        assertThat(signIn("dev", "pw", ATTACKER)).isEqualTo(new Principal.User("dev", false));
    }

    @Test
    void aSuccessResetsTheAccountsFailures() {
        for (int i = 0; i < 4; i++) statusOf(() -> signIn("dev", "typo", OWNER));
        signIn("dev", "pw", OWNER);
        for (int i = 0; i < 4; i++) assertThat(statusOf(() -> signIn("dev", "typo", OWNER))).isEqualTo(401);
    }

    @Test
    void theOwnerFromAnAddressThatIsNotFailingGetsInAfterAShortWaitWhileTheAccountIsAttacked() {
        for (int i = 0; i < 5; i++) statusOf(() -> signIn("dev", "guess", ATTACKER));
        for (int i = 0; i < 5; i++) { // the attacker keeps the backoff long (32 s by now)
            clock.advance(Duration.ofSeconds(1L << i));
            statusOf(() -> signIn("dev", "guess", ATTACKER));
        }
        assertThat(statusOf(() -> signIn("dev", "pw", ATTACKER))).isEqualTo(429);
        assertThat(statusOf(() -> signIn("dev", "pw", OWNER))).isEqualTo(429);
        clock.advance(LoginThrottle.CLEAN_ADDRESS_WAIT);
        assertThat(statusOf(() -> signIn("dev", "pw", ATTACKER))).isEqualTo(429);
        assertThat(signIn("dev", "pw", OWNER)).isEqualTo(new Principal.User("dev", false));
    }

    @Test
    void anAddressPastTwentyFailuresAMinuteIsRefusedForEveryNameUntilTheMinuteEnds() {
        for (int i = 0; i < 20; i++) assertThat(statusOf(() -> signIn("nobody" + System.nanoTime(), "x", ATTACKER))).isEqualTo(401);
        assertThatThrownBy(() -> signIn("dev", "pw", ATTACKER)).isInstanceOfSatisfying(RegistryException.class, e -> {
            assertThat(e.httpStatus()).isEqualTo(429);
            assertThat(e.getMessage()).startsWith("too many failed sign-ins from this address");
            assertThat(e.headers()).containsEntry("Retry-After", "60");
        });
        assertThat(signIn("dev", "pw", OWNER)).isEqualTo(new Principal.User("dev", false));
        clock.advance(Duration.ofSeconds(60));
        assertThat(signIn("dev", "pw", ATTACKER)).isEqualTo(new Principal.User("dev", false));
    }

    @Test
    void onceAnAddressHasFailedItsAttemptsInFlightCountAsFailures() {
        LoginThrottle throttle = new LoginThrottle(LoginThrottle.Settings.DEFAULTS, clock);
        List<LoginThrottle.Attempt> burst = new java.util.ArrayList<>();
        for (int i = 0; i < 30; i++) burst.add(throttle.begin("user" + i, ATTACKER)); // sent at once, none failed yet
        throttle.failed("user0", ATTACKER);
        burst.getFirst().close();
        assertThatThrownBy(() -> throttle.begin("user99", ATTACKER)).isInstanceOfSatisfying(RegistryException.class,
                e -> assertThat(e.httpStatus()).isEqualTo(429));
        throttle.begin("user99", OWNER).close();
        burst.forEach(LoginThrottle.Attempt::close);
        throttle.begin("user99", ATTACKER).close();
    }

    @Test
    void failingAddressesShareANodeWideRateSoManyAddressesCannotKeepTheHashingBusy() {
        LoginThrottle throttle = new LoginThrottle(LoginThrottle.Settings.DEFAULTS, clock);
        int addresses = LoginThrottle.FAILING_ADDRESS_BURST + 5;
        for (int i = 0; i < addresses; i++) {
            throttle.begin("nobody", "198.51.100." + i).close();
            throttle.failed(null, "198.51.100." + i);
        }
        int allowed = 0;
        for (int i = 0; i < addresses; i++) {
            try {
                throttle.begin(null, "198.51.100." + i).close();
                allowed++;
            } catch (RegistryException e) {
                assertThat(e.httpStatus()).isEqualTo(429);
                assertThat(e.getMessage()).contains("addresses that failed recently");
            }
        }
        assertThat(allowed).isEqualTo(LoginThrottle.FAILING_ADDRESS_BURST);
        throttle.begin("dev", OWNER).close(); // an address without failures never waits for the shared rate
        clock.advance(Duration.ofSeconds(1));
        throttle.begin(null, "198.51.100.0").close();
        throttle.begin(null, "198.51.100.1").close();
        assertThatThrownBy(() -> throttle.begin(null, "198.51.100.2")).isInstanceOf(RegistryException.class);
    }

    @Test
    void ipv6AddressesAreCountedByTheirSlash64() {
        for (int i = 0; i < 20; i++) {
            String address = "2001:db8:1:2::" + Integer.toHexString(i + 1);
            String name = "nobody" + i;
            assertThat(statusOf(() -> signIn(name, "x", address))).isEqualTo(401);
        }
        assertThat(statusOf(() -> signIn("dev", "pw", "2001:db8:1:2:ffff::1"))).isEqualTo(429);
        assertThat(signIn("dev", "pw", "2001:db8:1:3::1")).isEqualTo(new Principal.User("dev", false));
    }

    @Test
    void aWrongSecondFactorCountsAsAFailure() {
        identities.setTotp("dev", Totp.newSecret(), true);
        for (int i = 0; i < 5; i++) assertThat(statusOf(() -> signIn("dev", "pw000000", ATTACKER))).isEqualTo(401);
        assertThat(statusOf(() -> signIn("dev", "pw000000", ATTACKER))).isEqualTo(429);
    }

    @Test
    void verificationsPastTheQueueAreRefusedWith503AtOnce() throws Exception {
        try (CredentialVerifier small = new CredentialVerifier(PasswordHasher.DEFAULT, new CredentialVerifier.Settings(1, 1, Duration.ZERO))) {
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.ConcurrentLinkedQueue<Integer> statuses = new java.util.concurrent.ConcurrentLinkedQueue<>();
            List<Thread> callers = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                callers.add(Thread.ofVirtual().start(() -> {
                    try {
                        go.await();
                        // a stored hash with the default parameters makes each verification take a while
                        statuses.add(statusOf(() -> small.verify("password", "dev", "pw".toCharArray(), DEFAULT_HASH)));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
            }
            go.countDown();
            for (Thread t : callers) t.join();
            assertThat(statuses).contains(503).hasSize(8);
            assertThat(small.hashesComputed()).isLessThan(8);
        }
    }

    static final String DEFAULT_HASH = PasswordHasher.DEFAULT.hash("stored".toCharArray());
}
