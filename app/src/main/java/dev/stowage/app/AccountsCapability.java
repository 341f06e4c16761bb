package dev.stowage.app;

import dev.stowage.server.AccountRoutes;

/**
 * Users, one's own account, personal access tokens, sign-in sessions, second factors and signing keys. Its settings
 * are the {@code auth:} section; its verbs ({@code users}, {@code tokens}, {@code sessions}, {@code me}) are still
 * declared in {@link AdminCommand}.
 */
final class AccountsCapability implements Capability {
    @Override
    public String name() {
        return "accounts";
    }

    @Override
    public void start(Node node, Contributions out) {
        out.adminRoutes(new AccountRoutes(node.accounts()));
    }
}
