package dev.stowage.identity;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.stowage.core.ErrorCode;
import dev.stowage.core.RegistryException;
import dev.stowage.core.access.Scope;

import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Docker registry tokens: short-lived ES256 JWTs whose {@code access} claim lists the granted scopes, signed by
 * the current key with its id in the header, verified against any key still in its grace period. Every token says
 * what it is for, and each verifier accepts only its own kind: registry access tokens (audience the registry
 * service, no {@code use}), refresh tokens and sign-in states (the service, {@code use} naming them), and admin
 * session tokens (audience {@code <service>-api}, {@code use: admin-session}), which only the admin API takes.
 */
public final class RegistryTokens {
    /** Clock skew tolerated between the node that issued a token and the one verifying it. */
    private static final Duration LEEWAY = Duration.ofSeconds(30);

    public record Issued(String token, Instant issuedAt, Duration expiresIn) {}

    /**
     * Subjects of the short-lived pull tokens Stowage mints itself for a registered scanner adapter
     * ({@code scanner:<name>}, never through /token): no account or robot has such a name (usernames have no ':'), so
     * the access check lets the token's own scopes decide, and the audit trail names the scanner.
     */
    public static final String SCANNER_SUBJECT_PREFIX = "scanner:";

    /**
     * @param issuedAt     when it was issued (whole seconds)
     * @param subjectSince when the account or robot it was issued to was created (null in tokens that do not say), so
     *                     that a later account of the same name is not its subject
     * @param keyId        the signing key that signed it
     */
    public record Verified(String subject, List<Scope> access, Instant expiresAt, Instant issuedAt, Instant subjectSince,
                           String keyId) {
        /** Whether the token grants {@code action} on {@code type:name}. */
        public boolean allows(String type, String name, String action) {
            for (Scope s : access) {
                if (s.type().equals(type) && s.name().equals(name) && (s.actions().contains(action) || s.actions().contains("*"))) {
                    return true;
                }
            }
            return false;
        }
    }

    private final SigningKeys keys;
    private final String issuer;
    private final String service;
    private final Duration lifetime;
    private final Clock clock;

    public RegistryTokens(SigningKeys keys, String issuer, String service, Duration lifetime, Clock clock) {
        this.keys = keys;
        this.issuer = issuer;
        this.service = service;
        this.lifetime = lifetime;
        this.clock = clock;
    }

    /** How long a refresh token (the OAuth2 offline grant docker login stores) stays valid. */
    public static final Duration REFRESH_LIFETIME = Duration.ofDays(30);
    private static final String REFRESH = "refresh";

    /** What a valid refresh token stands for: its account and the session that can be revoked. */
    public record Refresh(String subject, String sessionId) {}

    /**
     * A long-lived token that only the token endpoint accepts, to get new access tokens without the password. Its id
     * is the session's, so revoking the session kills it.
     */
    public String issueRefresh(String subject, String sessionId, Instant expiresAt) {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(issuer).subject(subject).audience(service)
                .issueTime(Date.from(clock.instant())).expirationTime(Date.from(expiresAt))
                .jwtID(sessionId).claim("use", REFRESH).build();
        return sign(claims);
    }

    /** The subject and session of a valid refresh token; anything else (an access token too) is UNAUTHORIZED. */
    public Refresh verifyRefresh(String token) {
        try {
            JWTClaimsSet claims = verifiedClaims(token);
            if (!REFRESH.equals(claims.getClaim("use")) || claims.getJWTID() == null) throw invalid("not a refresh token");
            return new Refresh(claims.getSubject(), claims.getJWTID());
        } catch (ParseException | JOSEException | ClassCastException e) {
            throw invalid("malformed token");
        }
    }

    private static final String SIGN_IN = "sign-in";
    private static final String ADMIN_SESSION = "admin-session";

    /** A valid admin session token: whose, and how and when its holder signed in. */
    public record AdminSession(String subject, dev.stowage.core.access.Authentication authentication, Instant expiresAt,
                               Instant issuedAt, Instant subjectSince) {}

    /** The audience of admin session tokens: never the registry service, so registry routes and /token refuse them. */
    public String adminAudience() {
        return service + "-api";
    }

    /**
     * A short-lived token for the admin API (what a browser sign-in answers), carrying how and when its holder signed
     * in ({@code auth_time}, {@code sign_in}), so that changing credentials with it can demand a recent sign-in.
     */
    public Issued issueAdminSession(String subject, dev.stowage.core.access.Authentication how) {
        return issueAdminSession(subject, null, how);
    }

    /** As {@link #issueAdminSession(String, dev.stowage.core.access.Authentication)}, bound to the account created at {@code subjectSince}. */
    public Issued issueAdminSession(String subject, Instant subjectSince, dev.stowage.core.access.Authentication how) {
        Instant now = clock.instant();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().issuer(issuer).subject(subject).audience(adminAudience())
                .issueTime(Date.from(now)).notBeforeTime(Date.from(now)).expirationTime(Date.from(now.plus(lifetime)))
                .jwtID(UUID.randomUUID().toString()).claim("use", ADMIN_SESSION)
                .claim("auth_time", how.at().getEpochSecond())
                .claim("sign_in", how.method().name().toLowerCase(java.util.Locale.ROOT));
        if (subjectSince != null) claims.claim(SUBJECT_SINCE, subjectSince.toEpochMilli());
        return new Issued(sign(claims.build()), now, lifetime);
    }

    /** The holder and sign-in of a valid admin session token; any other token (a registry token too) is UNAUTHORIZED. */
    public AdminSession verifyAdminSession(String token) {
        try {
            JWTClaimsSet claims = verifiedClaims(token, adminAudience());
            if (!ADMIN_SESSION.equals(claims.getClaim("use")) || claims.getSubject() == null) {
                throw invalid("not an admin session token");
            }
            Long authTime = claims.getLongClaim("auth_time");
            String signIn = claims.getStringClaim("sign_in");
            if (authTime == null || signIn == null) throw invalid("no sign-in recorded");
            dev.stowage.core.access.Authentication.Method method;
            try {
                method = dev.stowage.core.access.Authentication.Method.valueOf(signIn.toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw invalid("unknown sign-in method");
            }
            return new AdminSession(claims.getSubject(), new dev.stowage.core.access.Authentication(method,
                    Instant.ofEpochSecond(authTime)), claims.getExpirationTime().toInstant(), issuedAt(claims), subjectSince(claims));
        } catch (ParseException | JOSEException | ClassCastException | java.time.DateTimeException e) {
            throw invalid("malformed token");
        }
    }

    /**
     * A short-lived signed note that a browser carries through an external sign-in (in a cookie), so that any node
     * can finish what another started without shared session state.
     */
    public String issueSignInState(Map<String, String> values, Duration lifetime) {
        Instant now = clock.instant();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().issuer(issuer).audience(service)
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plus(lifetime))).claim("use", SIGN_IN);
        values.forEach(claims::claim);
        return sign(claims.build());
    }

    /** The values of a valid sign-in state, or UNAUTHORIZED. */
    public Map<String, String> verifySignInState(String token) {
        try {
            JWTClaimsSet claims = verifiedClaims(token);
            if (!SIGN_IN.equals(claims.getClaim("use"))) throw invalid("not a sign-in state");
            Map<String, String> values = new LinkedHashMap<>();
            claims.getClaims().forEach((k, v) -> {
                if (v instanceof String text) values.put(k, text);
            });
            return values;
        } catch (ParseException | JOSEException | ClassCastException e) {
            throw invalid("malformed token");
        }
    }

    private String sign(JWTClaimsSet claims) {
        SigningKeys.Key key = keys.current();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.id()).type(JOSEObjectType.JWT).build(), claims);
        try {
            jwt.sign(new ECDSASigner(key.jwk()));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a token", e);
        }
        return jwt.serialize();
    }

    public Issued issue(String subject, List<Scope> granted) {
        return issue(subject, null, granted);
    }

    /**
     * A registry token for {@code subject}, bound to the account or robot created at {@code subjectSince} (null: not
     * bound, for anonymous callers): a later account of the same name is not its subject.
     */
    public Issued issue(String subject, Instant subjectSince, List<Scope> granted) {
        Instant now = clock.instant();
        List<Map<String, Object>> access = new ArrayList<>();
        for (Scope s : granted) {
            if (s.actions().isEmpty()) continue;
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("type", s.type());
            entry.put("name", s.name());
            entry.put("actions", List.copyOf(s.actions()));
            access.add(entry);
        }
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issuer(issuer)
                .subject(subject)
                .audience(service)
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(lifetime)))
                .jwtID(UUID.randomUUID().toString())
                .claim("access", access);
        if (subjectSince != null) claims.claim(SUBJECT_SINCE, subjectSince.toEpochMilli());
        return new Issued(sign(claims.build()), now, lifetime);
    }

    /** Verifies signature, algorithm, key id, issuer, audience and validity window; any failure is UNAUTHORIZED. */
    public Verified verify(String token) {
        try {
            JWTClaimsSet claims = verifiedClaims(token);
            if (claims.getClaim("use") != null) throw invalid("not an access token");
            return new Verified(claims.getSubject(), access(claims), claims.getExpirationTime().toInstant(), issuedAt(claims),
                    subjectSince(claims), SignedJWT.parse(token).getHeader().getKeyID());
        } catch (ParseException | JOSEException | ClassCastException e) {
            throw invalid("malformed token");
        }
    }

    /**
     * Whether a token {@link #verify} accepted would still be accepted now, without checking its signature again
     * (its bytes, and so its signature, are the ones verified): the same expiry (with the same leeway) and its key
     * still among those that verify.
     */
    public boolean stillValid(Verified token) {
        return !clock.instant().isAfter(token.expiresAt().plus(LEEWAY)) && keys.stillVerifies(token.keyId());
    }

    /** When a token verified now stops being valid: its expiry and the leeway {@link #verify} allows. */
    public static Instant validUntil(Verified token) {
        return token.expiresAt().plus(LEEWAY);
    }

    private JWTClaimsSet verifiedClaims(String token) throws ParseException, JOSEException {
        return verifiedClaims(token, service);
    }

    private JWTClaimsSet verifiedClaims(String token, String audience) throws ParseException, JOSEException {
        SignedJWT jwt = SignedJWT.parse(token);
        if (!JWSAlgorithm.ES256.equals(jwt.getHeader().getAlgorithm())) throw invalid("unexpected algorithm");
        Optional<ECKey> key = Optional.ofNullable(jwt.getHeader().getKeyID()).flatMap(keys::verificationKey);
        if (key.isEmpty()) throw invalid("unknown or retired signing key");
        if (!jwt.verify(new ECDSAVerifier(key.get().toECPublicKey()))) throw invalid("bad signature");
        JWTClaimsSet claims = jwt.getJWTClaimsSet();
        Instant now = clock.instant();
        if (!issuer.equals(claims.getIssuer())) throw invalid("wrong issuer");
        // Exactly one audience: a token for the registry is never also one for the admin API, or the other way round.
        if (claims.getAudience() == null || !claims.getAudience().equals(List.of(audience))) throw invalid("wrong audience");
        if (claims.getExpirationTime() == null || now.isAfter(claims.getExpirationTime().toInstant().plus(LEEWAY))) {
            throw expired();
        }
        if (claims.getNotBeforeTime() != null && now.plus(LEEWAY).isBefore(claims.getNotBeforeTime().toInstant())) {
            throw invalid("not yet valid");
        }
        return claims;
    }

    /** The claim binding a token to one account: its creation time (epoch milliseconds). */
    private static final String SUBJECT_SINCE = "sub_since";

    private static Instant subjectSince(JWTClaimsSet claims) throws ParseException {
        Long millis = claims.getLongClaim(SUBJECT_SINCE);
        return millis == null ? null : Instant.ofEpochMilli(millis);
    }

    /** A token without {@code iat} counts as issued at the start of time: no account is older than it. */
    private static Instant issuedAt(JWTClaimsSet claims) {
        return claims.getIssueTime() == null ? Instant.EPOCH : claims.getIssueTime().toInstant();
    }

    private static List<Scope> access(JWTClaimsSet claims) throws ParseException {
        List<Scope> scopes = new ArrayList<>();
        Object raw = claims.getClaim("access");
        if (!(raw instanceof List<?> entries)) return scopes;
        for (Object e : entries) {
            if (!(e instanceof Map<?, ?> m)) continue;
            Set<String> actions = new LinkedHashSet<>();
            if (m.get("actions") instanceof List<?> list) list.forEach(a -> actions.add(String.valueOf(a)));
            scopes.add(new Scope(String.valueOf(m.get("type")), String.valueOf(m.get("name")), actions));
        }
        return scopes;
    }

    /** What every expired token is told: the one thing its holder can do is to get a new one. */
    public static final String EXPIRED = "token expired; ask for a new one (sign in again)";

    private static RegistryException expired() {
        return new RegistryException(ErrorCode.UNAUTHORIZED, EXPIRED);
    }

    /** Whether a verification failed because the token, genuine otherwise, has expired. */
    public static boolean isExpiry(RegistryException e) {
        return EXPIRED.equals(e.getMessage());
    }

    private static RegistryException invalid(String why) {
        // The reason is logged by the caller's audit trail, never echoed in detail to the client.
        return new RegistryException(ErrorCode.UNAUTHORIZED, "invalid token: " + why);
    }
}
