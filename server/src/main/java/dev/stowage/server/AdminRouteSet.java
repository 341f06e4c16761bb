package dev.stowage.server;

/** What a capability adds to the admin API: it declares its routes, each with its access check and description. */
@FunctionalInterface
public interface AdminRouteSet {
    void declare(AdminRoutes routes);
}
