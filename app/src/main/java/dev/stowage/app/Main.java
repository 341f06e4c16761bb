package dev.stowage.app;

import dev.stowage.bench.BenchCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code stowage} command. */
@Command(name = "stowage", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Stowage: a self-hosted OCI container registry.",
        subcommands = {ServeCommand.class, AdminCommand.class, AuditCommand.class, GcCommand.class, BenchCommand.class, GcBenchCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).setExecutionExceptionHandler(Main::handle).execute(args));
    }

    /** An operator's mistake is one line and exit code 2; anything else is a bug, shown with its stack trace. */
    static int handle(Exception e, CommandLine commandLine, CommandLine.ParseResult parsed) {
        if (e instanceof ConfigException) {
            commandLine.getErr().println("stowage: " + e.getMessage());
            return ConfigException.EXIT_CODE;
        }
        e.printStackTrace(commandLine.getErr());
        return commandLine.getCommandSpec().exitCodeOnExecutionException();
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"stowage " + (v == null ? "dev" : v)};
        }
    }
}
