package dev.stowage.webhooks;

import dev.stowage.core.event.ClaimedDelivery;
import dev.stowage.core.event.DeliveryAttempt;
import dev.stowage.core.event.EncodedEvent;
import dev.stowage.core.event.EventPublisher;
import dev.stowage.core.event.RegistryEvent;
import dev.stowage.core.event.Webhook;
import dev.stowage.core.event.WebhookDelivery;
import dev.stowage.core.event.WebhookDelivery.Status;
import dev.stowage.core.spi.WebhookStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Delivers registry events to the webhooks that subscribe to them.
 *
 * <p>As the {@link EventPublisher}, it only checks this node's view of the subscriptions (a map lookup: events no
 * one wants, most pulls, cost nothing more) and queues the event in memory. A writer thread encodes queued events as
 * CloudEvents and hands them to {@link WebhookStore#enqueue} in batches, which makes one durable delivery per
 * subscribed webhook. Events still in memory when the process dies are lost, as with the audit trail; once queued
 * in the database, a delivery is made at least once, by whichever node claims it, across restarts.
 *
 * <p>A worker claims due deliveries (no more than it has free request slots) and POSTs each on a virtual thread, signed
 * with the webhook's secret. A 2xx answer delivers it; anything else (another status, a refused connection, a
 * timeout) schedules the next attempt with exponential backoff, until the last attempt makes it FAILED. Receivers
 * should de-duplicate on the {@code X-Stowage-Delivery} header or the CloudEvent {@code id}: a node that dies after
 * the receiver answered but before the answer was recorded leaves the delivery to be made again.
 */
public final class WebhookDispatcher implements EventPublisher, AutoCloseable {
    public static final String SIGNATURE_HEADER = "X-Stowage-Signature-256";
    public static final String DELIVERY_HEADER = "X-Stowage-Delivery";
    public static final String EVENT_HEADER = "X-Stowage-Event";
    static final String USER_AGENT = "Stowage-Webhook/1";

    private static final Logger LOG = LoggerFactory.getLogger(WebhookDispatcher.class);
    private static final int ENQUEUE_BATCH = 256;
    private static final int PURGE_BATCH = 1000;
    /**
     * Every way a delivery can get no HTTP answer reads the same in the delivery log (refused, reset, timed out, TLS
     * failed, not HTTP, name not found): a project administrator sees that the receiver did not answer, not which of
     * those happened, so the log is no port scanner. The server log has the detail at debug level.
     */
    static final String CONNECTION_FAILED = "connection failed";
    private static final Duration PURGE_INTERVAL = Duration.ofHours(1);
    private static final RegistryEvent STOP = new RegistryEvent("stop", RegistryEvent.Type.PING, Instant.EPOCH, null, null,
            null, null, null, null, Map.of());

    private final WebhookStore store;
    private final WebhookSettings settings;
    private final Clock clock;
    private final CloudEventEncoder encoder;
    private final TargetAddressPolicy targets;
    private final PinnedHttpPost http;
    private final ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor();
    /** Closes the sockets of exchanges that ran past their deadline. */
    private final ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("webhook-deadlines").daemon().factory());
    private final BlockingQueue<RegistryEvent> published;
    private final Semaphore requestSlots;
    private final ReentrantLock wakeLock = new ReentrantLock();
    private final Condition wakeCondition = wakeLock.newCondition();
    private boolean woken; // guarded by wakeLock
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private volatile boolean running = true;
    private final ReentrantLock refreshLock = new ReentrantLock();
    private volatile Subscriptions subscriptions = Subscriptions.UNKNOWN;
    private volatile Instant subscriptionsLoadedAt = Instant.MIN;
    private final Thread writer;
    private final Thread worker;

    /** Starts delivering at once: what is due in the store (left by an earlier run or another node) goes out now. */
    public WebhookDispatcher(WebhookStore store, WebhookSettings settings, Clock clock) {
        this(store, settings, clock, java.net.InetAddress::getAllByName);
    }

    WebhookDispatcher(WebhookStore store, WebhookSettings settings, Clock clock, TargetAddressPolicy.Resolver resolver) {
        this(store, settings, clock, resolver, defaultTls());
    }

    /** With a name resolver and a TLS trust other than the JVM's: for tests. */
    WebhookDispatcher(WebhookStore store, WebhookSettings settings, Clock clock, TargetAddressPolicy.Resolver resolver,
                      SSLSocketFactory tls) {
        this.store = store;
        this.settings = settings;
        this.clock = clock;
        this.encoder = new CloudEventEncoder(settings.source());
        this.published = new ArrayBlockingQueue<>(settings.maxQueuedEvents());
        this.requestSlots = new Semaphore(settings.maxConcurrentDeliveries());
        this.targets = new TargetAddressPolicy(settings.allowedNetworks(), resolver);
        this.http = new PinnedHttpPost(tls, deadlines);
        this.writer = Thread.ofVirtual().name("webhook-writer").start(this::writeLoop);
        this.worker = Thread.ofVirtual().name("webhook-worker").start(this::workLoop);
    }

    // --- publishing -----------------------------------------------------------------------------------------

    @Override
    public void publish(RegistryEvent event) {
        try {
            if (!running || event.type() == RegistryEvent.Type.PING || !subscriptions.wants(event)) return;
            if (!published.offer(event)) {
                long n = dropped.incrementAndGet();
                if (n == 1 || n % 1000 == 0) {
                    LOG.warn("webhook event queue full ({} events): {} events dropped so far", settings.maxQueuedEvents(), n);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("webhook event {} not published: {}", event.id(), e.toString());
        }
    }

    /** Re-reads the subscriptions now, so events published from here on see a change just made on this node. */
    public void subscriptionsChanged() {
        refreshSubscriptions();
    }

    /** Looks for due deliveries now instead of at the next poll (a redelivery or ping was queued). */
    void wake() {
        wakeLock.lock();
        try {
            woken = true;
            wakeCondition.signalAll();
        } finally {
            wakeLock.unlock();
        }
    }

    /** Which targets webhooks may have; the service checks new and changed targets with it. */
    TargetAddressPolicy targets() {
        return targets;
    }

    private static SSLSocketFactory defaultTls() {
        try {
            return SSLContext.getDefault().getSocketFactory(); // the JVM's trust store, as any HTTPS client
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no default TLS context", e);
        }
    }

    byte[] encode(RegistryEvent event) {
        return encoder.encode(event);
    }

    /** One at a time: a slow periodic read must not replace the view a change on this node just made current. */
    private void refreshSubscriptions() {
        refreshLock.lock();
        try {
            subscriptions = Subscriptions.of(store.listWebhooks(Optional.empty()));
            subscriptionsLoadedAt = clock.instant();
        } catch (RuntimeException e) {
            LOG.warn("reading webhook subscriptions failed, keeping the previous view: {}", e.toString());
        } finally {
            refreshLock.unlock();
        }
    }

    private void writeLoop() {
        List<RegistryEvent> batch = new ArrayList<>();
        while (running || !published.isEmpty()) {
            try {
                if (!clock.instant().isBefore(subscriptionsLoadedAt.plus(settings.subscriptionRefresh()))) refreshSubscriptions();
                RegistryEvent first = published.poll(settings.subscriptionRefresh().toMillis(), TimeUnit.MILLISECONDS);
                if (first == null) continue;
                batch.add(first);
                published.drainTo(batch, ENQUEUE_BATCH - 1);
                batch.remove(STOP);
                if (!batch.isEmpty()) write(batch);
                batch.clear();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void write(List<RegistryEvent> events) throws InterruptedException {
        List<EncodedEvent> encoded = new ArrayList<>(events.size());
        for (RegistryEvent e : events) {
            try {
                encoded.add(EncodedEvent.of(e, encoder.encode(e)));
            } catch (RuntimeException ex) {
                LOG.error("webhook event {} ({}) cannot be encoded, dropped: {}", e.id(), e.type(), ex.toString());
            }
        }
        while (true) {
            try {
                if (!store.enqueue(encoded, clock.instant()).isEmpty()) wake();
                return;
            } catch (RuntimeException e) {
                if (!running) {
                    LOG.error("queuing {} webhook events failed while stopping; they are lost: {}", encoded.size(), e.toString());
                    return;
                }
                LOG.warn("queuing {} webhook events failed, retrying: {}", encoded.size(), e.toString());
                TimeUnit.SECONDS.sleep(1);
            }
        }
    }

    // --- delivering -----------------------------------------------------------------------------------------

    private void workLoop() {
        Instant nextPurge = clock.instant();
        while (running) {
            int free = requestSlots.availablePermits();
            int claimed = 0;
            try {
                Instant now = clock.instant();
                if (free > 0) {
                    List<ClaimedDelivery> due = store.claimDue(now, free, now.plus(settings.lease()));
                    for (ClaimedDelivery d : due) {
                        requestSlots.acquireUninterruptibly(); // never waits: this loop is the only taker
                        senders.execute(() -> attempt(d));
                    }
                    claimed = due.size();
                }
                if (!now.isBefore(nextPurge)) {
                    nextPurge = now.plus(PURGE_INTERVAL);
                    int purged = store.purgeFinished(now.minus(settings.deliveryRetention()), PURGE_BATCH);
                    if (purged == PURGE_BATCH) nextPurge = now; // more to go: again on the next round
                }
            } catch (RuntimeException e) {
                LOG.warn("claiming webhook deliveries failed: {}", e.toString());
            }
            if (free == 0 || claimed < free) awaitWake(settings.pollInterval());
        }
    }

    private void awaitWake(Duration timeout) {
        wakeLock.lock();
        try {
            long nanos = timeout.toNanos();
            while (!woken && running && nanos > 0) nanos = wakeCondition.awaitNanos(nanos);
            woken = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            wakeLock.unlock();
        }
    }

    private record Answer(int statusCode, String error, boolean retryable) {
        boolean delivered() {
            return statusCode >= 200 && statusCode < 300;
        }
    }

    private void attempt(ClaimedDelivery claimed) {
        WebhookDelivery d = claimed.delivery();
        Webhook hook = claimed.webhook();
        try {
            Instant started = clock.instant();
            long startNanos = System.nanoTime();
            Answer answer = hook.enabled() ? post(hook, d) : new Answer(0, "the webhook is disabled", false);
            Duration took = Duration.ofNanos(System.nanoTime() - startNanos);
            int number = d.attempts() + 1;
            Instant now = clock.instant();
            Status status;
            Instant next = now;
            if (answer.delivered()) {
                status = Status.DELIVERED;
            } else if (!answer.retryable() || number >= settings.maxAttempts()) {
                status = Status.FAILED;
            } else {
                status = Status.PENDING;
                next = now.plus(Backoff.delayAfter(number, settings.backoffBase(), settings.backoffCap(), ThreadLocalRandom.current()));
            }
            DeliveryAttempt attempt = new DeliveryAttempt(d.id(), number, started, answer.statusCode(), answer.error(), took);
            if (!store.recordAttempt(d, attempt, status, next)) {
                LOG.warn("webhook delivery {}: attempt {} not recorded, the delivery was deleted or its claim ran out "
                        + "(then it is made again)", d.id(), number);
            } else if (status == Status.FAILED) {
                LOG.warn("webhook delivery {} to webhook {} failed for good after attempt {}: {}", d.id(), hook.id(), number,
                        answer.error());
            } else if (status == Status.PENDING) {
                LOG.info("webhook delivery {} to webhook {} failed (attempt {} of {}), next at {}: {}", d.id(), hook.id(),
                        number, settings.maxAttempts(), next, answer.error());
            }
        } catch (InterruptedException e) {
            giveBack(d); // stopping: the next dispatcher on this database need not wait out the lease
        } catch (RuntimeException e) {
            LOG.warn("webhook delivery {}: attempt not recorded, retried when the claim runs out: {}", d.id(), e.toString());
        } finally {
            requestSlots.release();
            wake();
        }
    }

    private Answer post(Webhook hook, WebhookDelivery d) throws InterruptedException {
        URI url;
        try {
            url = new URI(hook.targetUrl());
            if (url.getHost() == null || url.getScheme() == null
                    || !(url.getScheme().equalsIgnoreCase("http") || url.getScheme().equalsIgnoreCase("https"))) {
                return new Answer(0, "unusable target URL", false);
            }
        } catch (URISyntaxException e) {
            return new Answer(0, "unusable target URL", false);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", CloudEventEncoder.CONTENT_TYPE);
        headers.put("User-Agent", USER_AGENT);
        headers.put(DELIVERY_HEADER, d.id());
        headers.put(EVENT_HEADER, d.eventType().cloudEventType());
        headers.put(SIGNATURE_HEADER, WebhookSignatures.sign(hook.secret(), d.payload()));
        try {
            // Resolved and checked now, on every attempt; the connection goes to exactly the address checked.
            InetAddress address = targets.resolveAllowed(url.getHost());
            int code = http.post(url, address, headers, d.payload(), settings.connectTimeout(),
                    settings.connectTimeout().plus(settings.requestTimeout()));
            // Only the status: the answer's body is never read, so it cannot end up in the delivery log.
            return code >= 200 && code < 300 ? new Answer(code, "", false) : new Answer(code, "HTTP " + code, true);
        } catch (TargetAddressPolicy.RefusedTarget e) {
            return new Answer(0, "target not allowed: " + e.getMessage(), false);
        } catch (IOException e) {
            // Stopping interrupts the sender, which closes its socket: that is no attempt, the delivery goes back.
            if (Thread.interrupted()) throw new InterruptedException("stopping");
            LOG.debug("webhook delivery {} to webhook {}: no answer: {}", d.id(), hook.id(), e.toString());
            return new Answer(0, CONNECTION_FAILED, true);
        }
    }

    private void giveBack(WebhookDelivery d) {
        boolean interrupted = Thread.interrupted(); // the pool and the write lock refuse interrupted threads
        try {
            store.release(d, clock.instant());
        } catch (RuntimeException e) {
            LOG.warn("webhook delivery {} not given back, it waits out its claim: {}", d.id(), e.toString());
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    // --- stopping -------------------------------------------------------------------------------------------

    /**
     * Queues the events already published, stops claiming, and waits up to the shutdown grace for requests in
     * flight; those still running then are abandoned and their deliveries given back, due at once.
     */
    @Override
    public void close() {
        if (!stopping.compareAndSet(false, true)) return;
        running = false;
        published.offer(STOP); // wakes the writer; a full queue wakes it anyway
        wake();
        long graceMillis = settings.shutdownGrace().toMillis();
        try {
            writer.join(graceMillis);
            worker.join(graceMillis);
            senders.shutdown();
            if (!senders.awaitTermination(graceMillis, TimeUnit.MILLISECONDS)) {
                senders.shutdownNow(); // interrupted attempts only give their deliveries back: quick
                senders.awaitTermination(Math.max(graceMillis, 10_000), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            senders.shutdownNow();
            Thread.currentThread().interrupt();
        } finally {
            writer.interrupt();
            deadlines.shutdownNow();
        }
    }

    /**
     * This node's view of who wants what, per project. An event of no project is no project webhook's business: a
     * project hears only of its own events (see {@link Webhook#wants}).
     */
    private record Subscriptions(Map<String, Set<RegistryEvent.Type>> byProject, boolean known) {
        /** Before the first read: let every project's events through, the store decides. */
        static final Subscriptions UNKNOWN = new Subscriptions(Map.of(), false);

        static Subscriptions of(List<Webhook> hooks) {
            Map<String, Set<RegistryEvent.Type>> byProject = new HashMap<>();
            for (Webhook w : hooks) {
                if (!w.enabled() || w.events().isEmpty()) continue;
                byProject.computeIfAbsent(w.project(), p -> EnumSet.noneOf(RegistryEvent.Type.class)).addAll(w.events());
            }
            return new Subscriptions(byProject, true);
        }

        boolean wants(RegistryEvent e) {
            if (e.project() == null) return false;
            if (!known) return true;
            Set<RegistryEvent.Type> types = byProject.get(e.project());
            return types != null && types.contains(e.type());
        }
    }
}
