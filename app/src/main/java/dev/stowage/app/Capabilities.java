package dev.stowage.app;

import picocli.CommandLine;

import java.util.List;

/**
 * Every capability of a node, in the one place they are registered. A new capability is one more entry here. The
 * order is the order its registry policies are checked in (projects before immutability before quotas).
 */
public final class Capabilities {
    private Capabilities() {
    }

    /** New instances: each node (and each command line) has its own. */
    public static List<Capability> all() {
        // managed signing's keys are what a trust policy with trustManagedSigning trusts
        SigningCapability signing = new SigningCapability();
        return List.of(
                new AccountsCapability(),
                new ProjectsCapability(),
                new RobotsCapability(),
                new GovernanceCapability(),
                new WebhooksCapability(),
                new ScannerCapability(),
                signing,
                new TrustCapability(signing.managedTrust()),
                new AdmissionCapability());
    }

    /** Adds the capabilities' verbs to {@code stowage} and {@code stowage admin}. */
    static void addCommands(CommandLine stowage) {
        CommandLine admin = stowage.getSubcommands().get("admin");
        for (Capability capability : all()) {
            capability.adminCommands().forEach(admin::addSubcommand);
            capability.commands().forEach(stowage::addSubcommand);
        }
    }
}
