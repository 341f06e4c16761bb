package dev.stowage.server;

import dev.stowage.core.ErrorCode;
import dev.stowage.core.RegistryException;
import dev.stowage.core.access.Authentication;
import dev.stowage.core.access.Principal;
import dev.stowage.identity.OidcSignIn;
import dev.stowage.identity.RegistryTokens;
import dev.stowage.identity.TokenGrants;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.DefaultCookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.netty.handler.codec.http.cookie.ServerCookieEncoder;

import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Sign-in for people through the configured OpenID Connect provider: {@code /auth/oidc/login} sends the browser
 * there with a signed state cookie; {@code /auth/oidc/callback} finishes the sign-in and answers the session: a
 * short-lived admin session token (for the admin API only, recording when and how its holder signed in) and a
 * refresh token. For docker, podman and the other CLIs an OIDC user
 * creates a personal access token with that session, as Harbor's users use their CLI secret.
 */
final class SignInApi {
    static final String LOGIN = "/auth/oidc/login";
    static final String CALLBACK = "/auth/oidc/callback";
    private static final String STATE_COOKIE = "stowage_oidc_state";

    private final OidcSignIn signIn;
    private final TokenGrants grants;

    SignInApi(OidcSignIn signIn, TokenGrants grants) {
        this.signIn = signIn;
        this.grants = grants;
    }

    boolean handles(String path) {
        return path.equals(LOGIN) || path.equals(CALLBACK);
    }

    void handle(Exchange exchange) {
        if (!exchange.method().name().equals("GET")) throw new RegistryException(ErrorCode.UNSUPPORTED, "method not allowed", null, 405);
        if (exchange.path().equals(LOGIN)) {
            OidcSignIn.Start start = signIn.start(redirectUri(exchange));
            exchange.sendEmpty(302, Map.of("Location", start.authorizationUrl().toString(), "Cache-Control", "no-store",
                    "Set-Cookie", cookie(exchange, start.state(), 600)));
            return;
        }
        Optional<String> providerError = exchange.query("error");
        if (providerError.isPresent()) {
            throw new RegistryException(ErrorCode.UNAUTHORIZED, "sign-in failed: the provider answered "
                    + providerError.get(), null, 401);
        }
        String state = stateCookie(exchange).orElseThrow(() -> new RegistryException(ErrorCode.UNAUTHORIZED,
                "sign-in failed: no sign-in in progress in this browser; start at " + LOGIN, null, 401));
        OidcSignIn.SignedIn signedIn = signIn.complete(exchange.query("code").orElse(null),
                exchange.query("state").orElse(null), state);
        Principal.User principal = new Principal.User(signedIn.account().username(), signedIn.account().systemAdmin(),
                new Authentication(Authentication.Method.IDENTITY_PROVIDER, Instant.now()));
        exchange.principal(principal);
        // An admin session token (its own audience), not a registry token: the registry routes refuse it, and it
        // may mint a personal access token only in the first minutes after this sign-in.
        RegistryTokens.Issued access = grants.adminSession(principal, principal.authentication());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("username", signedIn.account().username());
        body.put("systemAdmin", signedIn.account().systemAdmin());
        body.put("groups", signedIn.groups());
        body.put("token", access.token());
        body.put("expires_in", access.expiresIn().toSeconds());
        body.put("refresh_token", grants.refreshTokenFor(principal, "oidc").orElseThrow());
        body.put("next", "POST /api/v1/users/" + signedIn.account().username()
                + "/tokens with this token as Bearer, within " + dev.stowage.identity.TokenAccessController.FRESH_PROOF.toMinutes()
                + " minutes of signing in, creates a personal access token for docker login");
        exchange.sendJson(200, Map.of("Cache-Control", "no-store", "Set-Cookie", cookie(exchange, "", 0)), body);
    }

    private URI redirectUri(Exchange exchange) {
        return signIn.configuredRedirectUri().orElseGet(() -> URI.create((exchange.secure() ? "https://" : "http://")
                + exchange.host().orElse("localhost") + CALLBACK));
    }

    private static String cookie(Exchange exchange, String value, long maxAgeSeconds) {
        DefaultCookie cookie = new DefaultCookie(STATE_COOKIE, value);
        cookie.setPath("/auth/oidc");
        cookie.setHttpOnly(true);
        cookie.setSecure(exchange.secure());
        // Lax: the provider's redirect back is a top-level GET navigation, which Lax lets through.
        cookie.setSameSite(io.netty.handler.codec.http.cookie.CookieHeaderNames.SameSite.Lax);
        cookie.setMaxAge(maxAgeSeconds);
        return ServerCookieEncoder.STRICT.encode(cookie);
    }

    private static Optional<String> stateCookie(Exchange exchange) {
        for (String header : exchange.headers().getAll(HttpHeaderNames.COOKIE)) {
            for (Cookie c : ServerCookieDecoder.LAX.decode(header)) {
                if (c.name().equals(STATE_COOKIE) && !c.value().isEmpty()) return Optional.of(c.value());
            }
        }
        return Optional.empty();
    }
}
