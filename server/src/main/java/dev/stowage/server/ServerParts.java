package dev.stowage.server;

import dev.stowage.core.audit.AuditTrail;
import dev.stowage.core.event.EventPublisher;
import dev.stowage.identity.OidcSignIn;
import dev.stowage.identity.TokenGrants;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a server answers beyond the distribution API, as assembled from the node's capabilities: the token endpoint
 * ({@code tokens}), sign-in through an identity provider ({@code signIn}, with {@code tokens}), the audit trail of
 * requests, the admin API's route sets (no admin API without any), and where registry events go.
 */
public record ServerParts(Optional<TokenGrants> tokens, Optional<OidcSignIn> signIn, Optional<AuditTrail> audit,
                          List<AdminRouteSet> adminRoutes, EventPublisher events) {
    public ServerParts {
        adminRoutes = List.copyOf(adminRoutes);
    }

    /** The distribution API alone. */
    public static ServerParts none() {
        return new ServerParts(Optional.empty(), Optional.empty(), Optional.empty(), List.of(), EventPublisher.NOOP);
    }

    public ServerParts withTokens(TokenGrants grants) {
        return new ServerParts(Optional.of(grants), signIn, audit, adminRoutes, events);
    }

    public ServerParts withSignIn(Optional<OidcSignIn> provider) {
        return new ServerParts(tokens, provider, audit, adminRoutes, events);
    }

    public ServerParts withAudit(Optional<AuditTrail> trail) {
        return new ServerParts(tokens, signIn, trail, adminRoutes, events);
    }

    /** Adds route sets to the admin API. */
    public ServerParts withAdminRoutes(List<? extends AdminRouteSet> sets) {
        List<AdminRouteSet> all = new ArrayList<>(adminRoutes);
        all.addAll(sets);
        return new ServerParts(tokens, signIn, audit, all, events);
    }

    public ServerParts withEvents(EventPublisher publisher) {
        return new ServerParts(tokens, signIn, audit, adminRoutes, publisher);
    }
}
