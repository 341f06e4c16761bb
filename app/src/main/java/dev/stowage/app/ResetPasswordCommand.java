package dev.stowage.app;

import dev.stowage.core.RegistryException;
import dev.stowage.core.audit.AuditEvent;
import dev.stowage.core.audit.AuditTrail;
import dev.stowage.identity.AccountService;
import dev.stowage.identity.PasswordHasher;
import dev.stowage.metadata.JdbcAuditStore;
import dev.stowage.metadata.JdbcIdentityStore;
import dev.stowage.metadata.JdbcMetadataStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code stowage admin reset-password}: recovery when no administrator can sign in. Works on the database directly
 * (the data directory's SQLite file or {@code database.url}), so the server may be stopped; a running server is
 * unharmed (the write is one transaction under the database's own locking).
 */
@Command(name = "reset-password", mixinStandardHelpOptions = true,
        description = {"Set a new password for a user directly in the database, when no one can sign in (the server may be stopped).",
                "Also enables the account and signs out its sessions; recorded in the audit trail.",
                "The password comes from STOWAGE_NEW_PASSWORD or, with --password-stdin, standard input; otherwise one is "
                        + "generated and printed once.",
                "Reads the same configuration as serve: --data for the embedded database, or --config / STOWAGE_DATABASE_URL."})
final class ResetPasswordCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions options;

    @Option(names = {"-u", "--user"}, defaultValue = "admin", description = "the account (default: ${DEFAULT-VALUE})")
    String user;

    @Option(names = "--password-stdin", description = "read the new password from standard input")
    boolean passwordStdin;

    @Override
    public Integer call() throws Exception {
        StowageConfig config = options.load(Map.of());
        DataDirectory.requireExistingDatabase(config);
        DataDirectory.prepare(config, ConfigOptions::warn);
        String password = newPassword();
        boolean generated = password == null;
        if (generated) password = Bootstrap.generatePassword();
        try (JdbcMetadataStore metadata = Stowage.openMetadata(config)) {
            // This command never reads a sealed secret, so it needs no key.
            JdbcIdentityStore identities = new JdbcIdentityStore(metadata);
            if (identities.findAccount(user).isEmpty()) {
                throw new ConfigException("there is no user '" + user + "' in " + Stowage.redact(config.jdbcUrl()),
                        "give the account with --user, and the installation with --data or --config");
            }
            AccountService accounts = new AccountService(identities, PasswordHasher.DEFAULT, Clock.systemUTC());
            try {
                accounts.setPassword(user, password.toCharArray()); // the API's rule; signs out every session
            } catch (RegistryException e) {
                throw new ConfigException("the new password is refused: " + e.getMessage(), "choose a longer one");
            }
            accounts.setDisabled(user, false);
            if (config.audit().enabled()) {
                try (AuditTrail audit = new AuditTrail(new JdbcAuditStore(metadata), AuditStream.open(config.audit().stream()), 200)) {
                    audit.record(new AuditEvent(Instant.now(), "local:" + System.getProperty("user.name"), "local",
                            "stowage admin reset-password", "admin", "", user, 200,
                            "reset-password " + user + ": new password, account enabled, sessions signed out"));
                }
            }
        }
        System.out.println("The password of '" + user + "' is reset, the account enabled and its sessions signed out.");
        if (generated) {
            // Shown once, deliberately not logged.
            System.out.println("new password: " + password);
        }
        return 0;
    }

    private String newPassword() throws Exception {
        if (passwordStdin) {
            String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            if (line == null || line.isEmpty()) {
                throw new ConfigException("--password-stdin read no password", "pipe the new password into the command");
            }
            return line;
        }
        String fromEnvironment = System.getenv("STOWAGE_NEW_PASSWORD");
        return fromEnvironment == null || fromEnvironment.isEmpty() ? null : fromEnvironment;
    }
}
