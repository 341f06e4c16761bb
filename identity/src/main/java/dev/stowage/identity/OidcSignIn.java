package dev.stowage.identity;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWT;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.TokenErrorResponse;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.UserInfoRequest;
import com.nimbusds.openid.connect.sdk.UserInfoResponse;
import com.nimbusds.openid.connect.sdk.UserInfoSuccessResponse;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import dev.stowage.core.ErrorCode;
import dev.stowage.core.RegistryException;
import dev.stowage.core.access.Account;
import dev.stowage.core.access.Role;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Sign-in for people through an OpenID Connect provider (authorization-code flow with PKCE and a nonce). The
 * provider says who the user is and which groups they are in; Stowage provisions the account on first sign-in,
 * maps groups to project roles at every sign-in, and never sees a password.
 */
public final class OidcSignIn {
    /** How long a browser may take at the provider between leaving and coming back. */
    private static final Duration SIGN_IN_WINDOW = Duration.ofMinutes(10);
    private static final int TIMEOUT_MILLIS = 10_000;
    private static final java.util.Set<JWSAlgorithm> ASYMMETRIC = java.util.Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384,
            JWSAlgorithm.RS512, JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512, JWSAlgorithm.ES256,
            JWSAlgorithm.ES384, JWSAlgorithm.ES512, JWSAlgorithm.Ed25519, JWSAlgorithm.EdDSA);

    /**
     * @param groupRoles    provider group to the project roles it grants
     * @param adminGroup    members of this group are system administrators (empty: the provider grants none)
     * @param usernameClaim the claim that names the account at first sign-in ({@code preferred_username})
     * @param groupsClaim   the claim listing the user's groups ({@code groups})
     */
    public record Settings(URI issuer, String clientId, String clientSecret, Optional<URI> redirectUri, String scopes,
                           String usernameClaim, String groupsClaim, Optional<String> adminGroup,
                           Map<String, List<GroupGrant>> groupRoles) {}

    public record GroupGrant(String project, Role role) {}

    /** Where to send the browser, and the signed state it must bring back (as a cookie). */
    public record Start(URI authorizationUrl, String state) {}

    /** The signed-in account and the groups the provider listed. */
    public record SignedIn(Account account, List<String> groups) {}

    private final Settings settings;
    private final RegistryTokens tokens;
    private final AccountService accounts;
    private volatile Provider provider;

    private record Provider(OIDCProviderMetadata metadata, IDTokenValidator validator) {}

    public OidcSignIn(Settings settings, RegistryTokens tokens, AccountService accounts) {
        this.settings = settings;
        this.tokens = tokens;
        this.accounts = accounts;
    }

    public Optional<URI> configuredRedirectUri() {
        return settings.redirectUri();
    }

    public Start start(URI redirectUri) {
        Provider p = provider();
        State state = new State();
        Nonce nonce = new Nonce();
        CodeVerifier verifier = new CodeVerifier();
        URI url = new AuthenticationRequest.Builder(ResponseType.CODE,
                com.nimbusds.oauth2.sdk.Scope.parse(settings.scopes()), new ClientID(settings.clientId()), redirectUri)
                .endpointURI(p.metadata().getAuthorizationEndpointURI())
                .state(state).nonce(nonce).codeChallenge(verifier, CodeChallengeMethod.S256)
                .build().toURI();
        String signed = tokens.issueSignInState(Map.of("state", state.getValue(), "nonce", nonce.getValue(),
                "verifier", verifier.getValue(), "redirect", redirectUri.toString()), SIGN_IN_WINDOW);
        return new Start(url, signed);
    }

    /**
     * Finishes a sign-in: the state the provider returned must be the one in the browser's signed state, the code
     * is exchanged for tokens, the ID token is validated (signature by the provider's published keys, issuer,
     * audience, expiry, nonce), and the account is provisioned or updated from its claims.
     */
    public SignedIn complete(String code, String returnedState, String signedState) {
        Map<String, String> expected = tokens.verifySignInState(signedState);
        if (returnedState == null || !MessageDigest.isEqual(returnedState.getBytes(StandardCharsets.UTF_8),
                expected.getOrDefault("state", "").getBytes(StandardCharsets.UTF_8))) {
            throw failed("the sign-in state does not match; start again");
        }
        if (code == null || code.isBlank()) throw failed("the provider returned no authorization code");
        Provider p = provider();
        URI redirect = URI.create(expected.get("redirect"));
        try {
            TokenRequest request = new TokenRequest(p.metadata().getTokenEndpointURI(),
                    new ClientSecretBasic(new ClientID(settings.clientId()), new Secret(settings.clientSecret())),
                    new AuthorizationCodeGrant(new AuthorizationCode(code), redirect, new CodeVerifier(expected.get("verifier"))));
            TokenResponse response = OIDCTokenResponseParser.parse(send(request.toHTTPRequest()));
            if (!response.indicatesSuccess()) {
                TokenErrorResponse error = response.toErrorResponse();
                throw failed("the provider refused the code: " + error.getErrorObject().getCode());
            }
            OIDCTokenResponse ok = (OIDCTokenResponse) response.toSuccessResponse();
            JWT idToken = ok.getOIDCTokens().getIDToken();
            Map<String, Object> claims = new LinkedHashMap<>(
                    p.validator().validate(idToken, new Nonce(expected.get("nonce"))).toJSONObject());
            if ((!claims.containsKey(settings.usernameClaim()) || !claims.containsKey(settings.groupsClaim()))
                    && p.metadata().getUserInfoEndpointURI() != null) {
                userInfo(p, ok.getOIDCTokens().getBearerAccessToken(), String.valueOf(claims.get("sub")))
                        .forEach(claims::putIfAbsent);
            }
            return provision(claims);
        } catch (com.nimbusds.jose.JOSEException | com.nimbusds.jose.proc.BadJOSEException e) {
            throw failed("the provider's ID token is not valid: " + e.getMessage());
        } catch (ParseException | IOException | ClassCastException e) {
            throw failed("the provider's answer could not be read: " + e.getMessage());
        }
    }

    private SignedIn provision(Map<String, Object> claims) {
        String subject = String.valueOf(claims.get("sub"));
        Object name = claims.get(settings.usernameClaim());
        if (!(name instanceof String preferred) || preferred.isBlank()) {
            throw failed("the provider did not send the claim '" + settings.usernameClaim() + "'");
        }
        List<String> groups = groups(claims.get(settings.groupsClaim()));
        Map<String, Role> roles = new LinkedHashMap<>();
        for (String group : groups) {
            for (GroupGrant grant : settings.groupRoles().getOrDefault(group, List.of())) {
                roles.merge(grant.project(), grant.role(), (a, b) -> a.compareTo(b) >= 0 ? a : b);
            }
        }
        Optional<Boolean> admin = settings.adminGroup().map(groups::contains);
        Account account = accounts.signInExternal(settings.issuer().toString(), subject,
                preferred.toLowerCase(Locale.ROOT), admin, roles);
        return new SignedIn(account, groups);
    }

    private static List<String> groups(Object claim) {
        List<String> out = new ArrayList<>();
        if (claim instanceof String single) out.add(single);
        if (claim instanceof Collection<?> many) many.forEach(g -> out.add(String.valueOf(g)));
        return out;
    }

    private Map<String, Object> userInfo(Provider p, BearerAccessToken accessToken, String subject)
            throws IOException, ParseException {
        if (accessToken == null) return Map.of();
        UserInfoResponse response = UserInfoResponse.parse(send(
                new UserInfoRequest(p.metadata().getUserInfoEndpointURI(), accessToken).toHTTPRequest()));
        if (!response.indicatesSuccess()) return Map.of();
        Map<String, Object> info = ((UserInfoSuccessResponse) response).getUserInfo().toJSONObject();
        // The spec's guard against a mixed-up response: user info about someone else is ignored.
        return subject.equals(String.valueOf(info.get("sub"))) ? info : Map.of();
    }

    private static com.nimbusds.oauth2.sdk.http.HTTPResponse send(HTTPRequest request) throws IOException {
        request.setConnectTimeout(TIMEOUT_MILLIS);
        request.setReadTimeout(TIMEOUT_MILLIS);
        return request.send();
    }

    /** The provider's metadata, fetched at first use (so a provider that is down does not stop the registry). */
    private Provider provider() {
        Provider p = provider;
        if (p != null) return p;
        synchronized (this) {
            if (provider != null) return provider;
            try {
                OIDCProviderMetadata metadata = OIDCProviderMetadata.resolve(new Issuer(settings.issuer()),
                        TIMEOUT_MILLIS, TIMEOUT_MILLIS);
                // Whatever asymmetric algorithm the provider announces; never "none" or a shared-secret HMAC.
                java.util.Set<JWSAlgorithm> algorithms = new java.util.HashSet<>(ASYMMETRIC);
                if (metadata.getIDTokenJWSAlgs() != null && !metadata.getIDTokenJWSAlgs().isEmpty()) {
                    algorithms.retainAll(metadata.getIDTokenJWSAlgs());
                }
                com.nimbusds.jose.jwk.source.JWKSource<com.nimbusds.jose.proc.SecurityContext> keys =
                        com.nimbusds.jose.jwk.source.JWKSourceBuilder.create(metadata.getJWKSetURI().toURL(),
                                new DefaultResourceRetriever(TIMEOUT_MILLIS, TIMEOUT_MILLIS, 1024 * 1024)).retrying(true).build();
                IDTokenValidator validator = new IDTokenValidator(metadata.getIssuer(), new ClientID(settings.clientId()),
                        new com.nimbusds.jose.proc.JWSVerificationKeySelector<>(algorithms, keys), null);
                provider = new Provider(metadata, validator);
                return provider;
            } catch (com.nimbusds.oauth2.sdk.GeneralException | IOException e) {
                throw new RegistryException(ErrorCode.UNAVAILABLE, "the sign-in provider cannot be reached: " + e.getMessage(),
                        null, 503);
            }
        }
    }

    private static RegistryException failed(String why) {
        return new RegistryException(ErrorCode.UNAUTHORIZED, "sign-in failed: " + why, null, 401);
    }
}
