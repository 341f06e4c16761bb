package dev.stowage.app;

import dev.stowage.core.audit.AuditTrail;
import dev.stowage.metadata.JdbcAuditStore;
import dev.stowage.metadata.JdbcMetadataStore;
import dev.stowage.metadata.MetadataConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

@Command(name = "audit", mixinStandardHelpOptions = true, description = "Work with the audit trail.",
        subcommands = AuditCommand.Verify.class)
final class AuditCommand implements Runnable {
    @Override
    public void run() {
        System.out.println("usage: stowage audit verify [--config FILE] [--data DIR]");
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Recompute the audit trail's hash chain; exit 1 at the first altered, missing or reordered record.")
    static final class Verify implements Callable<Integer> {
        @Mixin
        ConfigOptions options;

        @Override
        public Integer call() throws Exception {
            StowageConfig settings = options.load(java.util.Map.of());
            DataDirectory.requireExistingDatabase(settings); // a mistyped --data must not become a new, empty registry
            DataDirectory.prepare(settings, ConfigOptions::warn);
            try (JdbcMetadataStore metadata = JdbcMetadataStore.open(new MetadataConfig(settings.jdbcUrl(),
                    settings.database().user(), settings.database().password(), 2))) {
                AuditTrail.VerifyResult result = AuditTrail.verify(new JdbcAuditStore(metadata));
                if (result.intact()) {
                    System.out.println("audit trail intact: " + result.verified() + " records verified");
                    return 0;
                }
                System.out.println("audit trail BROKEN after " + result.verified() + " good records: " + result.problem());
                return 1;
            }
        }
    }
}
