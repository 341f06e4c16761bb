package dev.stowage.identity;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.stowage.core.ErrorCode;
import dev.stowage.core.RegistryException;
import dev.stowage.core.access.Scope;
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
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Date;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RegistryTokensTest {
    /** A clock the test moves. */
    static final class MovableClock extends Clock {
        Instant now = Instant.parse("2026-11-22T12:00:00Z");
        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }
    }

    final MovableClock clock = new MovableClock();
    @TempDir Path dir;
    JdbcMetadataStore db;
    SigningKeys keys;
    RegistryTokens tokens;

    @BeforeEach
    void open() {
        db = JdbcMetadataStore.open(new MetadataConfig("jdbc:sqlite:" + dir.resolve("m.db"), "", "", 0));
        keys = SigningKeys.shared(new JdbcIdentityStore(db), clock, Duration.ofHours(1));
        tokens = new RegistryTokens(keys, "stowage", "registry.example", Duration.ofMinutes(5), clock);
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void aVerifiedTokenStaysValidExactlyAsLongAsVerifyingItAgainWould() {
        String token = tokens.issue("alice", List.of()).token();
        RegistryTokens.Verified verified = tokens.verify(token);
        assertThat(verified.keyId()).isEqualTo(keys.current().id());
        assertThat(tokens.stillValid(verified)).isTrue();
        keys.rotate(); // its key is retired and verifies for the grace period
        clock.now = clock.now.plus(Duration.ofMinutes(5)).plusSeconds(30); // at the end of its lifetime and leeway
        assertThat(tokens.stillValid(verified)).isTrue();
        assertThat(tokens.verify(token).subject()).isEqualTo("alice");
        clock.now = clock.now.plusSeconds(1);
        assertThat(tokens.stillValid(verified)).isFalse();
        assertThatThrownBy(() -> tokens.verify(token)).isInstanceOf(RegistryException.class);
    }

    @Test
    void aVerifiedTokenIsNoLongerValidOnceItsKeyIsPastTheGracePeriod() {
        RegistryTokens longLived = new RegistryTokens(keys, "stowage", "registry.example", Duration.ofHours(3), clock);
        String token = longLived.issue("alice", List.of()).token();
        RegistryTokens.Verified verified = longLived.verify(token);
        keys.rotate();
        clock.now = clock.now.plus(Duration.ofMinutes(59));
        assertThat(longLived.stillValid(verified)).isTrue();
        clock.now = clock.now.plus(Duration.ofMinutes(2));
        assertThat(longLived.stillValid(verified)).isFalse();
        assertThatThrownBy(() -> longLived.verify(token)).isInstanceOf(RegistryException.class);
    }

    @Test
    void aSecondNodeOnTheSameDatabaseVerifiesTokensAndSeesRotations() {
        SigningKeys otherNodeKeys = SigningKeys.shared(new JdbcIdentityStore(db), clock, Duration.ofHours(1));
        RegistryTokens otherNode = new RegistryTokens(otherNodeKeys, "stowage", "registry.example", Duration.ofMinutes(5), clock);
        assertThat(otherNodeKeys.current().id()).isEqualTo(keys.current().id());
        assertThat(otherNode.verify(tokens.issue("alice", List.of()).token()).subject()).isEqualTo("alice");
        keys.rotate();
        clock.now = clock.now.plusSeconds(2);
        assertThat(otherNode.verify(tokens.issue("bob", List.of()).token()).subject()).isEqualTo("bob");
    }

    static void assertUnauthorized(Runnable r) {
        assertThatThrownBy(r::run).isInstanceOfSatisfying(RegistryException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHORIZED));
    }

    @Test
    void issuedTokenVerifiesWithItsSubjectAndAccess() {
        String token = tokens.issue("alice", List.of(Scope.parse("repository:team/app:pull,push"))).token();
        RegistryTokens.Verified verified = tokens.verify(token);
        assertThat(verified.subject()).isEqualTo("alice");
        assertThat(verified.allows("repository", "team/app", "push")).isTrue();
        assertThat(verified.allows("repository", "team/app", "delete")).isFalse();
        assertThat(verified.allows("repository", "team/other", "pull")).isFalse();
    }

    @Test
    void adminSessionTokensCarryTheSignInAndAreNeverRegistryOrRefreshTokens() throws Exception {
        Instant signedIn = clock.now.minusSeconds(42);
        var how = new dev.stowage.core.access.Authentication(dev.stowage.core.access.Authentication.Method.IDENTITY_PROVIDER,
                signedIn.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        String session = tokens.issueAdminSession("alice", how).token();
        assertThat(SignedJWT.parse(session).getJWTClaimsSet().getAudience()).containsExactly("registry.example-api");
        RegistryTokens.AdminSession verified = tokens.verifyAdminSession(session);
        assertThat(verified.subject()).isEqualTo("alice");
        assertThat(verified.authentication()).isEqualTo(how);
        assertUnauthorized(() -> tokens.verify(session));
        assertUnauthorized(() -> tokens.verifyRefresh(session));
        assertUnauthorized(() -> tokens.verifyAdminSession(tokens.issue("alice", List.of()).token()));
        assertUnauthorized(() -> tokens.verifyAdminSession(tokens.issueRefresh("alice", "s1", clock.now.plusSeconds(60))));
        clock.now = clock.now.plus(Duration.ofMinutes(6));
        assertUnauthorized(() -> tokens.verifyAdminSession(session));
    }

    @Test
    void headerNamesTheKeyAndAlgorithm() throws Exception {
        String token = tokens.issue("alice", List.of()).token();
        JWSHeader header = SignedJWT.parse(token).getHeader();
        assertThat(header.getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
        assertThat(header.getKeyID()).isEqualTo(keys.current().id());
    }

    @Test
    void expiredTokenIsRefused() {
        String token = tokens.issue("alice", List.of()).token();
        clock.now = clock.now.plus(Duration.ofMinutes(6));
        assertUnauthorized(() -> tokens.verify(token));
    }

    @Test
    void tamperedTokenIsRefused() {
        String token = tokens.issue("alice", List.of(Scope.parse("repository:a:pull"))).token();
        String[] parts = token.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1])).replace("\"pull\"", "\"push\"");
        String forged = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes()) + "." + parts[2];
        assertUnauthorized(() -> tokens.verify(forged));
    }

    @Test
    void tokenSignedByAForeignKeyIsRefused() throws Exception {
        ECKey foreign = new ECKeyGenerator(Curve.P_256).keyID(keys.current().id()).generate();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(foreign.getKeyID()).build(),
                new JWTClaimsSet.Builder().issuer("stowage").audience("registry.example").subject("mallory")
                        .expirationTime(Date.from(clock.now.plusSeconds(60))).build());
        jwt.sign(new ECDSASigner(foreign));
        assertUnauthorized(() -> tokens.verify(jwt.serialize()));
    }

    @Test
    void unsignedAndMalformedTokensAreRefused() {
        String none = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes()) + "."
                + Base64.getUrlEncoder().withoutPadding().encodeToString("{\"sub\":\"x\"}".getBytes()) + ".";
        assertUnauthorized(() -> tokens.verify(none));
        assertUnauthorized(() -> tokens.verify("not a jwt"));
        assertUnauthorized(() -> tokens.verify(""));
    }

    @Test
    void tokenForAnotherServiceIsRefused() {
        RegistryTokens other = new RegistryTokens(keys, "stowage", "other.example", Duration.ofMinutes(5), clock);
        String token = other.issue("alice", List.of()).token();
        assertUnauthorized(() -> tokens.verify(token));
    }

    @Test
    void rotatedKeyKeepsVerifyingThroughTheGracePeriodOnly() {
        String before = tokens.issue("alice", List.of()).token();
        String oldKey = keys.current().id();
        String newKey = keys.rotate();
        assertThat(newKey).isNotEqualTo(oldKey);
        assertThat(keys.activeKeyIds()).containsExactly(newKey, oldKey);
        assertThat(tokens.verify(before).subject()).isEqualTo("alice");
        String after = tokens.issue("bob", List.of()).token();
        clock.now = clock.now.plus(Duration.ofMinutes(61));
        assertThat(keys.activeKeyIds()).containsExactly(newKey);
        assertUnauthorized(() -> tokens.verify(before));
        assertThat(keys.verificationKey(newKey)).isPresent();
        assertThat(after).isNotEmpty();
    }
}
