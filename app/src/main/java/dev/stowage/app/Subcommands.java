package dev.stowage.app;

import picocli.CommandLine;

/** Subcommands that live in other modules. */
final class Subcommands {
    private Subcommands() {}

    static void register(CommandLine cli) {
    }
}
