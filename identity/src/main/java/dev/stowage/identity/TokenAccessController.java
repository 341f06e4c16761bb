package dev.stowage.identity;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.stowage.core.ErrorCode;
import dev.stowage.core.RegistryException;
import dev.stowage.core.RepositoryName;
import dev.stowage.core.access.AccessController;
import dev.stowage.core.access.AccessRequest;
import dev.stowage.core.access.Action;
import dev.stowage.core.access.Permissions;
import dev.stowage.core.access.Principal;
import dev.stowage.core.access.Project;
import dev.stowage.core.access.Scope;
import dev.stowage.core.spi.IdentityStore;

import java.time.Duration;
import java.util.Optional;

/**
 * The Docker token protocol on the registry routes: a Bearer token must grant the route's action on its
 * repository; without one, anonymous pulls of public projects pass and everything else is answered 401 with a
 * challenge naming the realm, service and scope to ask for. Private and missing repositories get the same answer.
 */
public final class TokenAccessController implements AccessController {
    private final RegistryTokens tokens;
    private final IdentityStore identities;
    private final AuthSettings settings;
    /** Verifying an ES256 signature costs far more than a lookup; clients reuse one token for many requests. */
    private final Cache<String, RegistryTokens.Verified> verified = Caffeine.newBuilder()
            .maximumSize(50_000).expireAfterWrite(Duration.ofSeconds(30)).build();

    public TokenAccessController(RegistryTokens tokens, IdentityStore identities, AuthSettings settings) {
        this.tokens = tokens;
        this.identities = identities;
        this.settings = settings;
    }

    @Override
    public void authorize(AccessRequest request) {
        Optional<String> bearer = request.authorization()
                .filter(h -> h.regionMatches(true, 0, "Bearer ", 0, 7)).map(h -> h.substring(7).trim());
        String scope = scopeFor(request);
        if (bearer.isEmpty()) {
            if (request.repository().isPresent() && anonymousMay(request.action(), request.repository().get())) return;
            throw challenge(request, scope, null, "authentication required");
        }
        RegistryTokens.Verified token = verified.getIfPresent(bearer.get());
        if (token == null || token.expiresAt().isBefore(java.time.Instant.now())) {
            try {
                token = tokens.verify(bearer.get());
            } catch (RegistryException e) {
                throw challenge(request, scope, "invalid_token", e.getMessage());
            }
            verified.put(bearer.get(), token);
        }
        boolean allowed = switch (request.action()) {
            case PING -> true;
            case CATALOG -> token.allows(Scope.REGISTRY, "catalog", "*");
            case PULL, PUSH, DELETE -> token.allows(Scope.REPOSITORY, request.repository().orElseThrow().value(),
                    Scope.actionName(request.action()));
        };
        if (!allowed) throw challenge(request, scope, "insufficient_scope", "the token does not grant this action");
    }

    private boolean anonymousMay(Action action, RepositoryName repository) {
        Optional<Boolean> isPublic = identities.findProject(repository.project()).map(Project::isPublic);
        return Permissions.onRepository(Principal.ANONYMOUS, isPublic, Optional.empty()).contains(action);
    }

    /** The scope a client should ask for: push routes ask for pull too, as Docker clients do. */
    private static String scopeFor(AccessRequest request) {
        return switch (request.action()) {
            case PING -> null;
            case CATALOG -> "registry:catalog:*";
            case PULL -> "repository:" + request.repository().orElseThrow() + ":pull";
            case PUSH -> "repository:" + request.repository().orElseThrow() + ":pull,push";
            case DELETE -> "repository:" + request.repository().orElseThrow() + ":delete";
        };
    }

    private RegistryException challenge(AccessRequest request, String scope, String error, String message) {
        StringBuilder header = new StringBuilder("Bearer realm=\"").append(settings.realmFor(request.host(), request.secure()))
                .append("\",service=\"").append(settings.service()).append('"');
        if (scope != null) header.append(",scope=\"").append(scope).append('"');
        if (error != null) header.append(",error=\"").append(error).append('"');
        return new RegistryException(ErrorCode.UNAUTHORIZED, message, null, 401)
                .withHeader("WWW-Authenticate", header.toString());
    }
}
