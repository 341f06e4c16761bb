package dev.stowage.app;

import dev.stowage.core.Digest;
import dev.stowage.core.RepositoryName;
import dev.stowage.core.event.RegistryEvent;
import dev.stowage.signatures.SignatureVerifier;
import dev.stowage.signatures.sigstore.SigstoreTrustedRoots;
import dev.stowage.trust.JdbcTrustStore;
import dev.stowage.trust.ManagedTrust;
import dev.stowage.trust.TrustImageCheck;
import dev.stowage.trust.TrustPolicies;
import dev.stowage.trust.TrustRoutes;
import dev.stowage.trust.TrustService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Signatures and trust: every pushed image's signatures (cosign tags, OCI referrers) are verified against its project's
 * trust policy, the result stored and shown, events published, and pulls of unverified images refused where the policy
 * enforces. Migrations {@code db/trust}; verbs {@code stowage verify} and {@code stowage admin trust}.
 */
final class TrustCapability implements Capability {
    private static final Logger LOG = LoggerFactory.getLogger(TrustCapability.class);

    private final ManagedTrust managed;
    private JdbcTrustStore store;
    private TrustPolicies policies;
    private TrustImageCheck check;
    private volatile TrustService service;
    private ExecutorService worker;
    /** Re-verifications queued and not started (a project name, or "" for every project): each is queued once. */
    private final Set<String> pendingReverify = ConcurrentHashMap.newKeySet();

    TrustCapability() {
        this(ManagedTrust.NONE);
    }

    /** {@code managed}: the keys managed signing holds per project, trusted where a policy says trustManagedSigning. */
    TrustCapability(ManagedTrust managed) {
        this.managed = managed;
    }

    @Override
    public String name() {
        return "trust";
    }

    @Override
    public Optional<String> migrations() {
        return Optional.of(JdbcTrustStore.MIGRATIONS);
    }

    @Override
    public List<Object> commands() {
        return List.of(new VerifyCommand());
    }

    @Override
    public List<Object> adminCommands() {
        return List.of(new TrustCommand());
    }

    @Override
    public void prepare(Node node, Contributions out) {
        store = new JdbcTrustStore(node.metadata());
        policies = new TrustPolicies(store, managed, SigstoreTrustedRoots::parse, node.clock());
        check = new TrustImageCheck(policies, store);
        out.imageCheck(check);
        // one thread: verifications of one image never race each other, and a flood of pushes queues rather than
        // taking the node's CPU
        worker = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("trust-verify").factory());
        out.onClose(worker::shutdownNow);
        out.listener(event -> {
            if (event.repository() == null) return;
            if (event.type() != RegistryEvent.Type.PUSH && event.type() != RegistryEvent.Type.DELETE) return;
            worker.execute(() -> {
                TrustService trust = service;
                if (trust == null) return;
                try {
                    RepositoryName repository = RepositoryName.of(event.repository());
                    Optional<Digest> digest = Optional.ofNullable(event.digest()).map(Digest::parse);
                    Optional<String> tag = Optional.ofNullable(event.tag());
                    if (event.type() == RegistryEvent.Type.PUSH) {
                        if (digest.isPresent()) trust.pushed(repository, digest.get(), tag);
                    } else {
                        trust.deleted(repository, digest, tag);
                    }
                } catch (RuntimeException e) {
                    LOG.warn("signatures of {}@{} not verified: {}", event.repository(), event.digest(), e.getMessage());
                }
            });
        });
    }

    @Override
    public void start(Node node, Contributions out) {
        service = new TrustService(store, policies, node.metadata(), TrustService.reader(node.service()::openBlob),
                SignatureVerifier.standard(), node.events(), check::resultChanged, node.clock());
        check.verifyWith(service::current);
        out.adminRoutes(new TrustRoutes(service, check, node.metadata(), project -> node.accounts().project(project),
                SigstoreTrustedRoots::parse, this::reverifyLater, node.clock()));
        // other nodes' policy and root changes arrive within seconds (the pull check never reads them itself)
        out.job(scheduler -> scheduler.scheduleWithFixedDelay(this::reload, 2, 2, TimeUnit.SECONDS));
    }

    private void reload() {
        try {
            policies.reload();
        } catch (RuntimeException e) {
            LOG.warn("trust policies not reloaded: {}", e.getMessage());
        }
    }

    private void reverifyLater(Optional<String> project) {
        String scope = project.orElse("");
        if (!pendingReverify.add(scope)) return;
        worker.execute(() -> {
            pendingReverify.remove(scope);
            try {
                int done = service.reverify(project);
                LOG.info("re-verified {} images of {}", done, project.map(p -> "project " + p).orElse("every project"));
            } catch (RuntimeException e) {
                LOG.warn("re-verification of {} stopped: {}", project.orElse("every project"), e.getMessage());
            }
        });
    }
}
