package dev.stowage.trust.signing;

import dev.stowage.core.Digest;
import dev.stowage.core.RegistryException;
import dev.stowage.core.RepositoryName;
import dev.stowage.core.event.EventPublisher;
import dev.stowage.core.event.RegistryEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Hears pushes and signs what was pushed to projects that have managed signing on. It never blocks the push: the
 * event is handed to one signing thread through a bounded queue (full: the push is not signed, and the log says so;
 * {@code POST .../sign} signs it later). Which projects sign is kept in memory ({@link #reload}), so a push to any other
 * project costs one set lookup. Refusals (a quota, an immutable tag) and anything unexpected are logged, never thrown.
 * The signer's own pushes go through the registry service, which publishes no event, so signatures are never signed.
 */
public final class SignOnPush implements EventPublisher, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SignOnPush.class);
    /** Pushes waiting to be signed on this node; a burst larger than this is logged and left unsigned. */
    static final int QUEUE = 10_000;

    private final ManagedKeyStore store;
    /** Set once the registry service exists ({@link #signWith}); nothing is pushed before that. */
    private volatile ManagedSigner signer;
    private final ThreadPoolExecutor worker;
    private volatile Set<String> enabled = Set.of();

    /** Listens from the start; signs once {@link #signWith} has given it the signer (made with the registry service). */
    public SignOnPush(ManagedKeyStore store) {
        this.store = store;
        this.worker = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE),
                Thread.ofVirtual().name("sign-on-push").factory(), (task, executor) ->
                LOG.warn("managed signing: {} pushes are waiting; one was not signed (sign it with POST .../sign)", QUEUE));
    }

    public void signWith(ManagedSigner signer) {
        this.signer = signer;
    }

    /** Re-reads which projects sign their pushes (changes made on other nodes arrive this way). */
    public void reload() {
        enabled = Set.copyOf(store.enabledProjects());
    }

    /** A change made on this node, in force at once. */
    public void changed(String project, boolean on) {
        java.util.HashSet<String> next = new java.util.HashSet<>(enabled);
        if (on) next.add(project);
        else next.remove(project);
        enabled = Set.copyOf(next);
    }

    public boolean signs(String project) {
        return enabled.contains(project);
    }

    @Override
    public void publish(RegistryEvent event) {
        if (event.type() != RegistryEvent.Type.PUSH || event.digest() == null || event.project() == null) return;
        if (ManagedSigner.ACTOR.equals(event.actor())) return; // our own signatures: never signed back
        ManagedSigner using = signer;
        if (using == null || !enabled.contains(event.project())) return;
        worker.execute(() -> sign(using, event));
    }

    private static void sign(ManagedSigner signer, RegistryEvent event) {
        try {
            ManagedSigner.Outcome outcome = signer.sign(event.project(), RepositoryName.of(event.repository()),
                    Digest.parse(event.digest()));
            if (!outcome.signed()) {
                LOG.warn("managed signing of {}@{}: cosign {} ({}), Notation {} ({})", event.repository(),
                        event.digest(), outcome.cosign().status(), outcome.cosign().reason(), outcome.notation().status(),
                        outcome.notation().reason());
            } else {
                LOG.debug("managed signing of {}@{} with key {}: cosign {}, Notation {}", event.repository(),
                        event.digest(), outcome.keyId(), outcome.cosign().status(), outcome.notation().status());
            }
        } catch (ManagedSigner.NotSignableException e) {
            // a signature, SBOM or attestation pushed to the project: by design not signed
        } catch (RegistryException e) {
            LOG.warn("managed signing of {}@{}: {}", event.repository(), event.digest(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("managed signing of {}@{} failed: {}", event.repository(), event.digest(), e.toString());
        }
    }

    /** Waits (briefly) for the signings already queued; for tests and shutdown. */
    public boolean drain(long timeout, TimeUnit unit) throws InterruptedException {
        worker.shutdown();
        return worker.awaitTermination(timeout, unit);
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
