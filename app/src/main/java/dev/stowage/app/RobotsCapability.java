package dev.stowage.app;

import dev.stowage.server.RobotRoutes;

/** Robot accounts, system-wide and per project. Verb {@code robots} in {@link AdminCommand}. */
final class RobotsCapability implements Capability {
    @Override
    public String name() {
        return "robots";
    }

    @Override
    public void start(Node node, Contributions out) {
        out.adminRoutes(new RobotRoutes(node.accounts()));
    }
}
