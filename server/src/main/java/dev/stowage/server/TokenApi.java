package dev.stowage.server;

import dev.stowage.core.ErrorCode;
import dev.stowage.core.RegistryException;
import dev.stowage.core.access.Principal;
import dev.stowage.core.access.Scope;
import dev.stowage.identity.RegistryTokens;
import dev.stowage.identity.TokenGrants;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Docker token endpoint: GET with Basic credentials (or none, for anonymous) and {@code scope} parameters,
 * and the OAuth2 form POST with {@code grant_type=password}. Answers a short-lived JWT granting what was asked
 * intersected with what the caller may do.
 */
final class TokenApi {
    private static final int MAX_FORM_BYTES = 64 * 1024;

    private final TokenGrants grants;

    TokenApi(TokenGrants grants) {
        this.grants = grants;
    }

    void handle(Exchange exchange) {
        try {
            issue(exchange);
        } catch (RegistryException e) {
            exchange.body().discard();
            // Docker's token client shows "details" (the shape of Docker Hub's token service) and else the errors array;
            // OAuth2 clients read "error" and "error_description" (RFC 6749 5.2). All say the same sentence.
            Map<String, Object> alongside = new LinkedHashMap<>();
            alongside.put("details", e.getMessage());
            if (e.httpStatus() == 401) {
                alongside.put("error", "invalid_grant");
                alongside.put("error_description", e.getMessage());
            }
            exchange.sendError(e, alongside);
        }
    }

    private void issue(Exchange exchange) {
        switch (exchange.method().name()) {
            case "GET" -> {
                Principal principal = grants.authenticate(exchange.header(HttpHeaderNames.AUTHORIZATION), exchange.clientAddress());
                exchange.principal(principal);
                boolean offline = exchange.query("offline_token").map("true"::equals).orElse(false);
                answer(exchange, principal, Scope.parseAll(exchange.queryAll("scope")),
                        offline ? grants.refreshTokenFor(principal, client(exchange)) : Optional.empty());
            }
            case "POST" -> {
                Map<String, List<String>> form = form(exchange);
                String grantType = first(form, "grant_type").orElse("");
                Principal principal;
                boolean offline;
                switch (grantType) {
                    case "password" -> {
                        String username = first(form, "username").orElseThrow(() -> unauthorized());
                        principal = grants.authenticate(username, first(form, "password").orElse("").toCharArray(),
                                exchange.clientAddress());
                        offline = first(form, "access_type").map("offline"::equals).orElse(false);
                    }
                    case "refresh_token" -> {
                        principal = grants.authenticateRefresh(first(form, "refresh_token").orElseThrow(() -> unauthorized()));
                        offline = false;
                    }
                    default -> throw new RegistryException(ErrorCode.UNSUPPORTED, "unsupported grant_type: " + grantType, null, 400);
                }
                exchange.principal(principal);
                Optional<String> refresh = offline ? grants.refreshTokenFor(principal, client(exchange)) : Optional.empty();
                answer(exchange, principal, Scope.parseAll(form.getOrDefault("scope", List.of())), refresh);
            }
            default -> throw new RegistryException(ErrorCode.UNSUPPORTED, "method not allowed", null, 405);
        }
    }

    private void answer(Exchange exchange, Principal principal, List<Scope> scopes, Optional<String> refreshToken) {
        RegistryTokens.Issued issued = grants.issue(principal, scopes);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("token", issued.token());
        body.put("access_token", issued.token());
        body.put("expires_in", issued.expiresIn().toSeconds());
        body.put("issued_at", issued.issuedAt().toString());
        refreshToken.ifPresent(r -> body.put("refresh_token", r));
        exchange.sendJson(200, Map.of("Cache-Control", "no-store"), body);
    }

    /** How the owner will recognise the session in their list: the client's User-Agent, shortened. */
    private static String client(Exchange exchange) {
        String agent = exchange.header(HttpHeaderNames.USER_AGENT).orElse("token endpoint");
        return agent.length() > 100 ? agent.substring(0, 100) : agent;
    }

    private static Map<String, List<String>> form(Exchange exchange) {
        try {
            byte[] body = exchange.body().readFully(MAX_FORM_BYTES, () -> {
                throw new RegistryException(ErrorCode.SIZE_INVALID, "form too large", null, 413);
            });
            return new QueryStringDecoder("?" + new String(body, StandardCharsets.UTF_8)).parameters();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (IllegalArgumentException e) {
            throw new RegistryException(ErrorCode.UNSUPPORTED, "malformed form", null, 400);
        }
    }

    private static Optional<String> first(Map<String, List<String>> form, String name) {
        List<String> values = form.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.getFirst());
    }

    private static RegistryException unauthorized() {
        return new RegistryException(ErrorCode.UNAUTHORIZED, dev.stowage.identity.TokenGrants.INVALID_CREDENTIALS, null, 401);
    }
}
