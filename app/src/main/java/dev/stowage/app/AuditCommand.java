package dev.stowage.app;

import dev.stowage.core.audit.AuditCheckpoint;
import dev.stowage.core.audit.AuditRecord;
import dev.stowage.core.audit.AuditTrail;
import dev.stowage.core.audit.AuditVerification;
import dev.stowage.core.audit.CheckpointKey;
import dev.stowage.core.audit.LastCheckpoint;
import dev.stowage.metadata.JdbcAuditStore;
import dev.stowage.metadata.JdbcMetadataStore;
import dev.stowage.metadata.MetadataConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

@Command(name = "audit", mixinStandardHelpOptions = true, description = "Work with the audit trail.",
        subcommands = {AuditCommand.Verify.class, AuditCommand.Head.class, AuditCommand.PublicKeyCommand.class})
final class AuditCommand implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(AuditCommand.class);

    @Override
    public void run() {
        System.out.println("usage: stowage audit verify|head|public-key [--config FILE] [--data DIR]  (--help for each)");
    }

    /** The node's checkpoint signing: its key (made on first start, mode 0600) and when to sign. */
    static AuditTrail.Checkpoints checkpoints(StowageConfig config) throws IOException {
        Path file = config.auditCheckpointKeyFile();
        CheckpointKey key;
        try {
            key = CheckpointKey.loadOrCreate(file);
        } catch (java.nio.file.AccessDeniedException e) {
            throw new IllegalArgumentException("audit.checkpointKeyFile: cannot read or create " + file
                    + " (permission denied); give the server's user access or set another file");
        }
        DataDirectory.requireOwnerOnly(file, config, ConfigOptions::warn); // whoever reads it can sign checkpoints
        LOG.info("audit checkpoints signed with key {} ({})", key.id(), file);
        return new AuditTrail.Checkpoints(key, config.auditCheckpointInterval(), config.audit().checkpointRecords(),
                Optional.of(LastCheckpoint.besideKey(file)));
    }

    static JdbcMetadataStore openMetadata(StowageConfig settings) throws java.io.IOException {
        DataDirectory.requireExistingDatabase(settings); // a mistyped --data must not become a new, empty registry
        DataDirectory.prepare(settings, ConfigOptions::warn);
        return JdbcMetadataStore.open(new MetadataConfig(settings.jdbcUrl(), settings.database().user(),
                settings.database().password(), 2));
    }


    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Recompute the audit trail's hash chain and check it against its anchors; exit 1 on any "
                    + "altered, missing, reordered or removed record, or a checkpoint whose signature does not check.",
                    "Without --checkpoint or --head: against the node's last checkpoint (kept beside "
                    + "audit.checkpointKeyFile) and the latest checkpoint in the database signed by a trusted key "
                    + "(the local audit.checkpointKeyFile, or --public-key)."})
    static final class Verify implements Callable<Integer> {
        @Mixin
        ConfigOptions options;

        @Option(names = "--checkpoint", paramLabel = "FILE|JSON",
                description = "a signed checkpoint: its JSON line (from the audit stream or the log), or a file "
                        + "holding it (of several checkpoint lines, e.g. the whole stream file, every one is checked)")
        List<String> checkpoints = new ArrayList<>();

        @Option(names = "--head", paramLabel = "FILE|JSON", description = "a head exported with 'stowage audit head'")
        List<String> heads = new ArrayList<>();

        @Option(names = "--public-key", paramLabel = "FILE",
                description = "trust checkpoints signed by the key(s) in this PEM file ('stowage audit public-key' "
                        + "prints a node's) instead of the local audit.checkpointKeyFile; repeatable, one per node")
        List<Path> publicKeys = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            return verify();
        }

        private int verify() throws Exception {
            List<AuditCheckpoint> given = new ArrayList<>();
            List<String> contradictions = new ArrayList<>();
            for (String c : checkpoints) {
                List<AuditCheckpoint> lines = anchors(c, "--checkpoint", true);
                given.addAll(lines);
                contradictions.addAll(AuditVerification.contradictions(lines));
            }
            for (String h : heads) given.addAll(anchors(h, "--head", false));
            StowageConfig settings = options.load(Map.of());
            Path keyFile = settings.auditCheckpointKeyFile();
            Path lastFile = LastCheckpoint.besideKey(keyFile);
            Optional<AuditCheckpoint> lastSigned;
            try {
                lastSigned = publicKeys.isEmpty() ? LastCheckpoint.read(lastFile) : Optional.empty();
            } catch (IllegalArgumentException e) {
                throw new OperatorError(null, Main.USAGE, e.getMessage());
            } catch (java.nio.file.AccessDeniedException e) {
                throw new OperatorError(null, Main.USAGE, "cannot read " + lastFile + " (permission denied); run as the server's user");
            }
            String trustedFrom = publicKeys.isEmpty() ? settings.auditCheckpointKeyFile().toString()
                    : String.join(", ", publicKeys.stream().map(Path::toString).toList());
            List<PublicKey> trusted = trustedKeys(settings);
            try (JdbcMetadataStore metadata = openMetadata(settings)) {
                JdbcAuditStore store = new JdbcAuditStore(metadata);
                int problems = 0;
                List<AuditCheckpoint> anchors = new ArrayList<>();
                for (AuditCheckpoint c : given) {
                    if (!c.signed()) {
                        anchors.add(c);
                    } else if (AuditVerification.signer(c, trusted).isPresent()) {
                        anchors.add(c);
                    } else {
                        problems++;
                        System.out.println("checkpoint REFUSED: the checkpoint at record " + c.sequence() + " (key " + c.keyId()
                                + ") is not signed by a trusted key (" + (trusted.isEmpty() ? "none: no " + trustedFrom
                                : trustedFrom) + "); forged, or pass its node's --public-key");
                    }
                }
                boolean fromDatabase = given.isEmpty();
                if (fromDatabase && lastSigned.isPresent()) {
                    // the node's own memory of how far it signed, which deleting database rows cannot roll back
                    if (AuditVerification.signer(lastSigned.get(), trusted).isPresent()) {
                        anchors.add(lastSigned.get());
                    } else {
                        problems++;
                        System.out.println("checkpoint REFUSED: " + lastFile + " (the node's last checkpoint) is not signed by "
                                + trustedFrom);
                    }
                }
                if (fromDatabase) {
                    List<AuditCheckpoint> stored = store.checkpoints(1000);
                    Optional<AuditCheckpoint> latest = AuditVerification.latestTrusted(stored, trusted);
                    latest.ifPresent(anchors::add);
                    long untrusted = stored.stream().filter(c -> AuditVerification.signer(c, trusted).isEmpty()).count();
                    if (untrusted > 0) {
                        System.out.println("note: " + untrusted + " checkpoint(s) in the database are not signed by a trusted "
                                + "key (other nodes' keys, or forged); ignored");
                    }
                }
                Set<Long> watched = new HashSet<>();
                anchors.forEach(a -> watched.add(a.sequence()));
                AuditVerification.Chain chain = AuditVerification.walk(store, 0, AuditRecord.GENESIS, watched);
                if (!chain.intact()) {
                    System.out.println("audit trail BROKEN after " + chain.verified() + " good records: " + chain.problem());
                    return 1;
                }
                AuditCheckpoint reach = null;
                List<String> disagreements = new ArrayList<>();
                for (AuditCheckpoint anchor : anchors) {
                    Optional<String> disagreement = AuditVerification.disagreement(chain, anchor);
                    if (disagreement.isPresent()) {
                        disagreements.add(disagreement.get());
                    } else if (reach == null || anchor.sequence() > reach.sequence()) {
                        reach = anchor;
                    }
                }
                disagreements.addAll(contradictions);
                if (chain.lastSequence() == 0 && disagreements.isEmpty() && publicKeys.isEmpty()
                        && (Files.exists(keyFile) || Files.exists(lastFile))) {
                    disagreements.add("the trail is empty, but this node has a checkpoint key (" + keyFile + "): it has "
                            + "served and audited requests, so its records were removed");
                }
                if (problems + disagreements.size() > 0) {
                    System.out.println("hash chain of " + chain.verified() + " records recomputes, but:");
                    disagreements.forEach(d -> System.out.println("audit trail BROKEN: " + d));
                    return 1;
                }
                System.out.println("audit trail intact: " + chain.verified() + " records verified");
                long last = chain.lastSequence();
                if (reach == null) {
                    System.out.println("records 1.." + last + " are chained but NOT anchored: no checkpoint "
                            + (fromDatabase ? "in the database is signed by a trusted key (" + trustedFrom + ")"
                            : "given") + "; a chain alone does not show removed last records or a recomputed chain");
                } else {
                    String by = reach.signed() ? "checkpoint at " + reach.at() + " (key " + reach.keyId() + ")"
                            : "exported head";
                    System.out.println("records 1.." + reach.sequence() + " anchored by " + by + "; "
                            + (reach.sequence() == last ? "no later records" : "records " + (reach.sequence() + 1) + ".." + last
                            + " not yet anchored"));
                }
                return 0;
            }
        }

        private List<PublicKey> trustedKeys(StowageConfig settings) throws IOException {
            List<PublicKey> keys = new ArrayList<>();
            if (publicKeys.isEmpty()) {
                Path own = settings.auditCheckpointKeyFile();
                if (Files.isReadable(own)) {
                    try {
                        keys.add(CheckpointKey.load(own).publicKey());
                    } catch (IllegalArgumentException e) {
                        throw new OperatorError(null, Main.USAGE, e.getMessage());
                    }
                }
                return keys;
            }
            for (Path file : publicKeys) {
                if (!Files.isReadable(file)) throw new OperatorError(null, Main.USAGE, "--public-key " + file + ": no such readable file");
                try {
                    keys.addAll(CheckpointKey.readPublicKeys(file));
                } catch (IllegalArgumentException e) {
                    throw new OperatorError(null, Main.USAGE, "--public-key " + e.getMessage());
                }
            }
            return keys;
        }

        /** The checkpoints or heads given as JSON text or as a file holding them, in the order written. */
        private static List<AuditCheckpoint> anchors(String value, String option, boolean signed) throws IOException {
            List<String> lines;
            String source;
            if (value.contains("{")) { // JSON, or a whole log line holding it
                lines = List.of(value);
                source = "the text given";
            } else {
                Path file = Path.of(value);
                if (!Files.isReadable(file)) throw new OperatorError(null, Main.USAGE, option + " " + value + ": neither JSON nor a readable file");
                lines = Files.readAllLines(file).stream().filter(l -> l.contains("{")).toList();
                source = file.toString();
            }
            List<AuditCheckpoint> found = new ArrayList<>();
            String problem = "no JSON object in it";
            for (String line : lines) {
                if (signed != line.contains("\"signature\"") || (lines.size() > 1 && !line.contains("\"hash\""))) continue;
                try {
                    found.add(AuditCheckpoint.parse(line));
                } catch (IllegalArgumentException e) {
                    problem = e.getMessage();
                }
            }
            if (found.isEmpty()) {
                throw new OperatorError(null, Main.USAGE, option + " " + source + ": no " + (signed ? "signed checkpoint (a line of kind "
                        + "\"checkpoint\" with a signature)" : "head (from 'stowage audit head')") + " in it: " + problem);
            }
            return found;
        }
    }

    @Command(name = "head", mixinStandardHelpOptions = true,
            description = "Print the audit trail's head (sequence and hash) as JSON, to keep somewhere the database's "
                    + "writers cannot reach; 'stowage audit verify --head FILE' checks the trail against it later.")
    static final class Head implements Callable<Integer> {
        @Mixin
        ConfigOptions options;

        @Override
        public Integer call() throws Exception {
            StowageConfig settings = options.load(Map.of());
            try (JdbcMetadataStore metadata = openMetadata(settings)) {
                Optional<AuditRecord> head = new JdbcAuditStore(metadata).head();
                System.out.println(AuditCheckpoint.head(head.map(AuditRecord::sequence).orElse(0L),
                        head.map(AuditRecord::hash).orElse(AuditRecord.GENESIS), Instant.now()).toJson());
                return 0;
            }
        }
    }

    @Command(name = "public-key", mixinStandardHelpOptions = true,
            description = "Print this node's audit checkpoint public key (PEM), for 'stowage audit verify --public-key'.")
    static final class PublicKeyCommand implements Callable<Integer> {
        @Mixin
        ConfigOptions options;

        @Override
        public Integer call() throws Exception {
            StowageConfig settings = options.load(Map.of());
            Path file = settings.auditCheckpointKeyFile();
            if (!Files.exists(file)) {
                System.err.println("stowage audit public-key: no checkpoint key at " + file + "; the server makes it at its "
                        + "first start (setting audit.checkpointKeyFile)");
                return 2;
            }
            try {
                CheckpointKey key = CheckpointKey.load(file);
                System.out.println("# audit checkpoint key " + key.id() + " (" + file + ")");
                System.out.print(key.publicKeyPem());
                return 0;
            } catch (IllegalArgumentException | java.nio.file.AccessDeniedException e) {
                System.err.println("stowage audit public-key: " + (e instanceof IllegalArgumentException ? e.getMessage()
                        : "cannot read " + file + " (permission denied); run as the server's user"));
                return 2;
            }
        }
    }
}
