package dev.stowage.identity;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.stowage.core.ErrorCode;
import dev.stowage.core.RegistryException;
import dev.stowage.core.RepositoryName;
import dev.stowage.core.access.AccessController;
import dev.stowage.core.access.AccessRequest;
import dev.stowage.core.access.Account;
import dev.stowage.core.access.Action;
import dev.stowage.core.access.Cidr;
import dev.stowage.core.access.Permissions;
import dev.stowage.core.access.Principal;
import dev.stowage.core.access.Project;
import dev.stowage.core.access.Role;
import dev.stowage.core.access.Scope;
import dev.stowage.core.spi.IdentityStore;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The one access check for every route. Registry routes speak the Docker token protocol: a Bearer token must
 * grant the route's action on its repository; without one, anonymous pulls of public projects pass and everything
 * else is answered 401 with a challenge naming the realm, service and scope to ask for (private and missing
 * repositories get the same answer). Management routes (the admin API) take Basic credentials or a token of the
 * account and decide by {@link Permissions}.
 */
public final class TokenAccessController implements AccessController {
    private final RegistryTokens tokens;
    private final TokenGrants grants;
    private final IdentityStore identities;
    private final AuthSettings settings;
    /** Verifying an ES256 signature costs far more than a lookup; clients reuse one token for many requests. */
    private final Cache<String, RegistryTokens.Verified> verified = Caffeine.newBuilder()
            .maximumSize(50_000).expireAfterWrite(Duration.ofSeconds(30)).build();
    /** Projects as the request path needs them (visibility, networks); a change is seen within seconds. */
    private final Cache<String, Optional<Project>> projects = Caffeine.newBuilder()
            .maximumSize(10_000).expireAfterWrite(Duration.ofSeconds(5)).build();

    public TokenAccessController(RegistryTokens tokens, TokenGrants grants, IdentityStore identities, AuthSettings settings) {
        this.tokens = tokens;
        this.grants = grants;
        this.identities = identities;
        this.settings = settings;
    }

    @Override
    public Principal authorize(AccessRequest request) {
        return switch (request.action()) {
            case MANAGE_PROJECT, MANAGE_SYSTEM, MANAGE_ACCOUNT -> authorizeManagement(request);
            default -> authorizeRegistry(request);
        };
    }

    private Principal authorizeRegistry(AccessRequest request) {
        Principal principal = authorizeRegistryCaller(request);
        Optional<Project> project = request.project().flatMap(this::project);
        if (project.isPresent() && !Cidr.anyContains(project.get().allowedNetworks(), request.clientAddress())) {
            throw new RegistryException(ErrorCode.DENIED, "requests from this address are not allowed for this project",
                    null, 403);
        }
        return principal;
    }

    private Optional<Project> project(String name) {
        return projects.get(name, identities::findProject);
    }

    private Principal authorizeRegistryCaller(AccessRequest request) {
        Optional<String> bearer = bearer(request);
        String scope = scopeFor(request);
        if (bearer.isEmpty()) {
            if (request.repository().isPresent() && anonymousMay(request.action(), request.repository().get())) {
                return Principal.ANONYMOUS;
            }
            throw challenge(request, scope, null, "authentication required");
        }
        RegistryTokens.Verified token = verify(bearer.get(), request, scope);
        boolean allowed = switch (request.action()) {
            case PING -> true;
            case CATALOG -> token.allows(Scope.REGISTRY, "catalog", "*");
            default -> token.allows(Scope.REPOSITORY, request.repository().orElseThrow().value(),
                    Scope.actionName(request.action()));
        };
        if (!allowed) throw challenge(request, scope, "insufficient_scope", "the token does not grant this action");
        return token.subject().isEmpty() ? Principal.ANONYMOUS : new Principal.User(token.subject(), false);
    }

    private Principal authorizeManagement(AccessRequest request) {
        Principal principal = bearer(request).map(t -> accountOf(verify(t, request, null).subject()))
                .orElseGet(() -> grants.authenticate(request.authorization(), request.clientAddress()));
        if (principal instanceof Principal.Anonymous) throw basicChallenge();
        boolean allowed = switch (request.action()) {
            case MANAGE_SYSTEM -> Permissions.mayManageSystem(principal);
            case MANAGE_ACCOUNT -> Permissions.mayManageAccount(principal, request.account().orElse(""));
            default -> Permissions.mayManageProject(principal, request.project().flatMap(p -> roleOf(principal, p)));
        };
        if (!allowed) throw new RegistryException(ErrorCode.DENIED, "requested access to the resource is denied", null, 403);
        return principal;
    }

    /** A token stands for its account as the account is now: disabled or deleted accounts lose their tokens. */
    private Principal accountOf(String username) {
        Account account = identities.findAccount(username).filter(a -> !a.disabled())
                .orElseThrow(TokenAccessController::basicChallenge);
        return new Principal.User(account.username(), account.systemAdmin());
    }

    private Optional<Role> roleOf(Principal principal, String project) {
        return principal instanceof Principal.User user ? identities.findRole(project, user.username()) : Optional.empty();
    }

    private RegistryTokens.Verified verify(String bearer, AccessRequest request, String scope) {
        RegistryTokens.Verified token = verified.getIfPresent(bearer);
        if (token == null || token.expiresAt().isBefore(Instant.now())) {
            try {
                token = tokens.verify(bearer);
            } catch (RegistryException e) {
                throw challenge(request, scope, "invalid_token", e.getMessage());
            }
            verified.put(bearer, token);
        }
        return token;
    }

    private static Optional<String> bearer(AccessRequest request) {
        return request.authorization().filter(h -> h.regionMatches(true, 0, "Bearer ", 0, 7)).map(h -> h.substring(7).trim());
    }

    private boolean anonymousMay(Action action, RepositoryName repository) {
        Optional<Boolean> isPublic = project(repository.project()).map(Project::isPublic);
        return Permissions.onRepository(Principal.ANONYMOUS, isPublic, Optional.empty()).contains(action);
    }

    /** The scope a client should ask for: push routes ask for pull too, as Docker clients do. */
    private static String scopeFor(AccessRequest request) {
        return switch (request.action()) {
            case CATALOG -> "registry:catalog:*";
            case PULL -> "repository:" + request.repository().orElseThrow() + ":pull";
            case PUSH -> "repository:" + request.repository().orElseThrow() + ":pull,push";
            case DELETE -> "repository:" + request.repository().orElseThrow() + ":delete";
            default -> null;
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

    private static RegistryException basicChallenge() {
        return new RegistryException(ErrorCode.UNAUTHORIZED, "authentication required", null, 401)
                .withHeader("WWW-Authenticate", "Basic realm=\"stowage\"");
    }
}
