package dev.stowage.app;

import dev.stowage.bench.BenchCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The {@code stowage} command. */
@Command(name = "stowage", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Stowage: a self-hosted OCI container registry.",
        subcommands = {ServeCommand.class, AdminCommand.class, AuditCommand.class, GcCommand.class, BenchCommand.class, GcBenchCommand.class, AotTrainingCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    static final int USAGE = CommandLine.ExitCode.USAGE;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit((args.length > 0 && args[0].equals("serve") ? serveCommandLine() : commandLine()).execute(args));
    }

    /**
     * {@code stowage serve} alone: the same command, options and error handling, without building every other command
     * (picocli reads each one's annotations, a noticeable part of a start). {@code stowage serve --help} reads the same.
     */
    static CommandLine serveCommandLine() {
        return configure(new CommandLine(new Serving()));
    }

    @Command(name = "stowage", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "Stowage: a self-hosted OCI container registry.", subcommands = ServeCommand.class)
    static final class Serving implements Runnable {
        @Override
        public void run() {
        }
    }

    /**
     * The command line as {@link #main} runs it (tests build it here too). Picocli's @-file expansion is off: JSON
     * arguments are given as {@code @rule.json} and read by the command ({@link AdminCommand#jsonArgument}).
     */
    static CommandLine commandLine() {
        CommandLine line = new CommandLine(new Main());
        // Before the settings below: picocli applies them only to the subcommands present when they are set.
        Capabilities.addCommands(line);
        return configure(line);
    }

    private static CommandLine configure(CommandLine line) {
        return line
                .setExpandAtFiles(false)
                .setParameterExceptionHandler(Main::usageError)
                .setExecutionExceptionHandler(Main::operatorError);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** A wrong option or argument: one line, and where to read how it is used. */
    private static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        String name = command.getCommandSpec().qualifiedName();
        command.getErr().println(name + ": " + e.getMessage() + " (see " + name + " --help)" + parentsOption(e));
        CommandLine.UnmatchedArgumentException.printSuggestions(e, command.getErr());
        return USAGE;
    }

    /** A hint when an unknown option is one of an enclosing command's, such as --url after the verb. */
    private static String parentsOption(CommandLine.ParameterException e) {
        if (!(e instanceof CommandLine.UnmatchedArgumentException unmatched)) return "";
        for (String argument : unmatched.getUnmatched()) {
            String option = argument.split("=", 2)[0];
            for (CommandLine parent = e.getCommandLine().getParent(); parent != null; parent = parent.getParent()) {
                if (parent.getCommandSpec().findOption(option) != null) {
                    String parentName = parent.getCommandSpec().qualifiedName();
                    return "; " + option + " belongs to " + parentName + " and goes before the verb: " + parentName + " "
                            + option + " ... " + e.getCommandLine().getCommandName() + " ...";
                }
            }
        }
        return "";
    }

    /**
     * An exception out of a command: the operator's mistakes ({@link ConfigException}, {@link OperatorError}, an IllegalArgumentException
     * from checking arguments) are one line without a stack trace; anything else is a bug and keeps its trace.
     */
    private static int operatorError(Exception e, CommandLine command, CommandLine.ParseResult parsed) throws Exception {
        String name = command.getCommandSpec().qualifiedName();
        if (e instanceof ConfigException) {
            command.getErr().println("stowage: " + e.getMessage());
            return ConfigException.EXIT_CODE;
        }
        if (e instanceof OperatorError error) {
            command.getErr().println((error.command == null ? name : error.command) + ": " + error.getMessage());
            return error.exitCode;
        }
        if (e instanceof java.nio.file.NoSuchFileException || e instanceof java.nio.file.AccessDeniedException) {
            String problem = e instanceof java.nio.file.NoSuchFileException ? "no such file" : "permission denied";
            command.getErr().println(name + ": cannot read " + ((java.nio.file.FileSystemException) e).getFile() + ": " + problem);
            return USAGE;
        }
        if (e instanceof IllegalArgumentException) {
            command.getErr().println(name + ": " + e.getMessage() + (command.getParent() == null ? "" : " (see " + name + " --help)"));
            return USAGE;
        }
        throw e;
    }

    /** The Maven project version, written into stowage-version.properties when the jar is built. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"stowage " + number().orElse("(version unknown: not built by Maven)")};
        }

        /** The version number alone (what SBOMs name their generator by). */
        static java.util.Optional<String> number() {
            Properties properties = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("/stowage-version.properties")) {
                if (in != null) properties.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return java.util.Optional.ofNullable(properties.getProperty("version"));
        }
    }
}
