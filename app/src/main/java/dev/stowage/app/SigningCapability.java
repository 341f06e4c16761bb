package dev.stowage.app;

import dev.stowage.trust.ManagedTrust;
import dev.stowage.trust.signing.JdbcManagedKeyStore;
import dev.stowage.trust.signing.ManagedKeys;
import dev.stowage.trust.signing.ManagedSigner;
import dev.stowage.trust.signing.SignOnPush;
import dev.stowage.trust.signing.SigningRoutes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Managed signing: per project (off by default), Stowage signs every image and index pushed to it with a key it holds
 * for the project, in cosign's tag scheme and as a Notation referrer, so teams without signing infrastructure get
 * signatures clusters can verify; rotation keeps old keys trusted. Its keys are what {@link #managedTrust()} answers
 * for the trust capability. Settings: {@code signing:}; migrations {@code db/signing}; verbs {@code stowage admin signing}.
 */
final class SigningCapability implements Capability {
    private static final Logger LOG = LoggerFactory.getLogger(SigningCapability.class);

    private volatile ManagedKeys keys;
    private SignOnPush onPush;

    @Override
    public String name() {
        return "signing";
    }

    @Override
    public Optional<String> migrations() {
        return Optional.of(JdbcManagedKeyStore.MIGRATIONS);
    }

    @Override
    public List<Object> adminCommands() {
        return List.of(new SigningCommand());
    }

    /**
     * The projects' managed keys as the trust capability trusts them. Usable from the moment the capabilities are made
     * (it asks the keys only when called; before {@link #prepare}, nothing is trusted), so {@link Capabilities#all()}
     * can hand it to the trust capability's constructor.
     */
    ManagedTrust managedTrust() {
        return project -> {
            ManagedKeys made = keys;
            return made == null ? ManagedTrust.NONE.of(project) : made.of(project);
        };
    }

    @Override
    public void prepare(Node node, Contributions out) {
        JdbcManagedKeyStore store = new JdbcManagedKeyStore(node.metadata(), node.sealer());
        keys = new ManagedKeys(store, node.clock());
        onPush = new SignOnPush(store);
        out.listener(onPush);
        out.onClose(onPush);
    }

    @Override
    public void start(Node node, Contributions out) {
        ManagedSigner made = new ManagedSigner(node.service(), node.metadata(), keys,
                node.config().http().address(), node.events(), node.clock());
        onPush.signWith(made);
        onPush.reload();
        out.adminRoutes(new SigningRoutes(keys, made, onPush, node.metadata(),
                project -> node.accounts().project(project), node.clock()));
        // Projects turned on or off on other nodes start or stop signing here within seconds.
        out.job(scheduler -> scheduler.scheduleWithFixedDelay(this::reload, 2, 2, TimeUnit.SECONDS));
    }

    private void reload() {
        try {
            onPush.reload();
        } catch (RuntimeException e) {
            LOG.warn("managed signing settings not reloaded: {}", e.getMessage());
        }
    }
}
