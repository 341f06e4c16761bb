package dev.stowage.core.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.stowage.core.spi.AuditStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Records audit events without slowing the requests that cause them: {@link #record} only queues (it may run on
 * an event loop); a background thread appends what is queued to the store in batches, in order, every
 * {@code flushMillis}, and then writes each record as one JSON line to the optional stream (a file or stdout for
 * a SIEM). A crash loses at most the last batch interval of events.
 *
 * <p>Identical pulls (same actor, address, user agent, repository, reference, digest and outcome) that arrive while
 * an earlier one still waits to be written become that one record, whose detail says how many there were and when
 * the last was: a client that pulls the same manifest thousands of times a second costs one record per interval,
 * not a database row and a chained hash per request, and the queue stays small however fast pulls come.
 *
 * <p>With a {@link Checkpoints} setting the writer also anchors the chain: every {@code interval}, after
 * {@code everyRecords} appended records, and on close, it signs the head (sequence and hash) with the node's
 * checkpoint key and writes that checkpoint to the stream, the log and the database. It signs only a chain it has
 * checked since its previous checkpoint: a tampered trail is reported, never anchored.
 */
public final class AuditTrail implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuditTrail.class);
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    /** About 30 MB of events at most: past this the writer has fallen far behind and events are dropped (logged). */
    private static final int MAX_QUEUED = 100_000;
    /** Most events written in one transaction; a writer that keeps up sleeps between batches, which lets pulls coalesce. */
    private static final int BATCH = 5000;

    private final AuditStore store;
    private final Consumer<String> lines;
    private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
    /** Pulls queued and not yet written, by what makes two of them the same record. */
    private final ConcurrentHashMap<PullKey, Pending> pendingPulls = new ConcurrentHashMap<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final Optional<Checkpoints> checkpoints;
    private final Thread writer;
    private volatile boolean closed;
    /** The last anchored (checked and signed) sequence and hash; the next checkpoint checks the chain from there. */
    private long anchoredSequence = -1;
    private String anchoredHash;
    private long appendedSinceCheckpoint;
    private long nextCheckpointNanos;

    /**
     * How the chain is anchored: signed with {@code key} every {@code interval}, after {@code everyRecords}
     * records, and on close.
     */
    public record Checkpoints(CheckpointKey key, Duration interval, int everyRecords, Optional<Path> lastCheckpointFile) {
        public Checkpoints(CheckpointKey key, Duration interval, int everyRecords) {
            this(key, interval, everyRecords, Optional.empty());
        }
    }

    /** Set when the trail lost or changed records the node had signed: nothing is signed over that any more. */
    private volatile String refusal;

    public AuditTrail(AuditStore store, Consumer<String> lines, long flushMillis) {
        this(store, lines, flushMillis, Optional.empty());
    }

    public AuditTrail(AuditStore store, Consumer<String> lines, long flushMillis, Optional<Checkpoints> checkpoints) {
        this.store = store;
        this.lines = lines;
        this.checkpoints = checkpoints;
        this.nextCheckpointNanos = System.nanoTime() + checkpoints.map(c -> c.interval().toNanos()).orElse(0L);
        checkpoints.ifPresent(this::compareWithLastSigned);
        this.writer = Thread.ofPlatform().name("audit-writer").daemon().start(() -> run(flushMillis));
    }

    /**
     * The database must still hold the record this node last signed, with the hash it signed: else someone removed
     * or replaced records since, and a new checkpoint would anchor the changed trail.
     */
    private void compareWithLastSigned(Checkpoints settings) {
        if (settings.lastCheckpointFile().isEmpty()) return;
        Path file = settings.lastCheckpointFile().get();
        Optional<AuditCheckpoint> last;
        try {
            last = LastCheckpoint.read(file);
        } catch (IOException | IllegalArgumentException e) {
            refuse("cannot read the node's last checkpoint: " + e.getMessage());
            return;
        }
        if (last.isEmpty()) return;
        AuditCheckpoint signed = last.get();
        if (!CheckpointKey.verifies(signed, settings.key().publicKey())) {
            refuse(file + " holds a checkpoint not signed by this node's key " + settings.key().id());
            return;
        }
        List<AuditRecord> at = store.query(signed.sequence() - 1, 1, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty());
        String problem;
        if (at.isEmpty()) {
            problem = "the trail ends at " + store.head().map(AuditRecord::sequence).orElse(0L);
        } else if (at.getFirst().sequence() != signed.sequence()) {
            problem = "record " + signed.sequence() + " is missing";
        } else if (!at.getFirst().hash().equals(signed.hash()) || !at.getFirst().isIntact()) {
            problem = "record " + signed.sequence() + " has hash " + at.getFirst().hash() + ", the checkpoint says " + signed.hash();
        } else {
            anchoredSequence = signed.sequence();
            anchoredHash = signed.hash();
            return;
        }
        refuse("the audit trail lost or changed records since checkpoint " + signed.sequence() + " (signed at "
                + signed.at() + ", kept in " + file + "): " + problem);
    }

    private void refuse(String why) {
        refusal = why;
        LOG.error("{}; no audit checkpoint is signed over it; run 'stowage audit verify'", why);
    }

    public void record(AuditEvent event) {
        if (!"pull".equals(event.action())) {
            enqueue(new Pending(event, null));
            return;
        }
        // compute runs under the key's lock, as flush's removal does: a repeat is counted in exactly one record.
        pendingPulls.compute(PullKey.of(event), (key, waiting) -> {
            if (waiting != null) {
                waiting.repeat(event.at());
                return waiting;
            }
            Pending first = new Pending(event, key);
            return enqueue(first) ? first : null;
        });
    }

    private boolean enqueue(Pending pending) {
        if (queued.incrementAndGet() > MAX_QUEUED) {
            queued.decrementAndGet();
            AuditEvent event = pending.first;
            LOG.error("audit queue full; event dropped: {} {} {}", event.action(), event.repository(), event.outcome());
            return false;
        }
        queue.add(pending);
        return true;
    }

    /** What two pulls must share to be one record: everything but the time. */
    private record PullKey(String actor, String sourceAddress, String userAgent, String repository, String reference,
                           int outcome, String detail, String digest) {
        static PullKey of(AuditEvent e) {
            return new PullKey(e.actor(), e.sourceAddress(), e.userAgent(), e.repository(), e.reference(), e.outcome(),
                    e.detail(), e.digest());
        }
    }

    /** A queued event and, for a pull, the identical ones that came after it before it was written. */
    private static final class Pending {
        final AuditEvent first;
        final PullKey key;
        long count = 1;
        Instant last;

        Pending(AuditEvent first, PullKey key) {
            this.first = first;
            this.key = key;
            this.last = first.at();
        }

        void repeat(Instant at) {
            count++;
            if (at.isAfter(last)) last = at;
        }

        AuditEvent event() {
            if (count == 1) return first;
            String repeated = "repeated " + count + " times, the last at " + last;
            String detail = first.detail() == null || first.detail().isEmpty() ? repeated : first.detail() + "; " + repeated;
            return new AuditEvent(first.at(), first.actor(), first.sourceAddress(), first.userAgent(), first.action(),
                    first.repository(), first.reference(), first.outcome(), detail, first.digest());
        }
    }

    private void run(long flushMillis) {
        int written = 0;
        while (!closed || !queue.isEmpty()) {
            try {
                // A full batch means the writer is behind: write on at once; else wait, and let repeats coalesce.
                if (written < BATCH && !closed) TimeUnit.MILLISECONDS.sleep(flushMillis);
                written = flush();
                if (checkpointDue()) checkpointOrLog();
            } catch (InterruptedException e) {
                closed = true;
            } catch (RuntimeException e) {
                LOG.error("audit write failed, retrying: {}", e.toString());
                try {
                    TimeUnit.SECONDS.sleep(1);
                } catch (InterruptedException ie) {
                    closed = true;
                }
            }
        }
    }

    /** Writes everything queued now. Public for tests and for an orderly shutdown. */
    public synchronized int flush() {
        List<AuditEvent> batch = new ArrayList<>();
        for (Pending next; batch.size() < BATCH && (next = queue.poll()) != null; ) {
            Pending taken = next;
            // Once it is out of the map (under the key's lock) no repeat can be added to it: its count is final.
            if (taken.key != null) pendingPulls.compute(taken.key, (key, waiting) -> waiting == taken ? null : waiting);
            batch.add(taken.event());
        }
        if (batch.isEmpty()) return 0;
        List<AuditRecord> written;
        try {
            written = store.append(batch);
        } catch (RuntimeException e) {
            // Put them back in front, in order, so the chain keeps the order they happened in.
            List<Pending> rest = new ArrayList<>(queue);
            queue.clear();
            for (AuditEvent event : batch) queue.add(new Pending(event, null));
            queue.addAll(rest);
            throw e;
        }
        queued.addAndGet(-batch.size());
        appendedSinceCheckpoint += written.size();
        if (lines != null) for (AuditRecord r : written) lines.accept(toJson(r));
        return batch.size();
    }

    private synchronized boolean checkpointDue() {
        if (checkpoints.isEmpty()) return false;
        return appendedSinceCheckpoint >= checkpoints.get().everyRecords() || System.nanoTime() - nextCheckpointNanos >= 0;
    }

    /** A failed checkpoint is tried again at the next interval; the records themselves are not held back by it. */
    private void checkpointOrLog() {
        try {
            checkpoint();
        } catch (RuntimeException e) {
            LOG.error("audit checkpoint failed, trying again in the next interval: {}", e.toString());
        }
    }

    /**
     * Signs the chain's head now, if it moved since the last checkpoint (on PostgreSQL other nodes move it too) and
     * the records since then are intact; answers the checkpoint written. Public for tests and for an orderly shutdown.
     */
    public synchronized Optional<AuditCheckpoint> checkpoint() {
        if (checkpoints.isEmpty()) return Optional.empty();
        Checkpoints settings = checkpoints.get();
        appendedSinceCheckpoint = 0;
        nextCheckpointNanos = System.nanoTime() + settings.interval().toNanos();
        if (refusal != null) {
            LOG.error("{}; no audit checkpoint signed", refusal);
            return Optional.empty();
        }
        Optional<AuditRecord> head = store.head();
        if (head.isEmpty() || head.get().sequence() == anchoredSequence) return Optional.empty();
        if (anchoredSequence < 0) {
            // From this key's latest checkpoint, if the database still has it; else the whole trail, once per start.
            AuditCheckpoint from = AuditVerification.latestTrusted(store.checkpoints(100), List.of(settings.key().publicKey()))
                    .orElse(AuditCheckpoint.head(0, AuditRecord.GENESIS, java.time.Instant.EPOCH));
            anchoredSequence = from.sequence();
            anchoredHash = from.hash();
        }
        AuditVerification.Chain chain = AuditVerification.walk(store, anchoredSequence, anchoredHash, java.util.Set.of());
        if (!chain.intact() || head.get().sequence() < anchoredSequence) {
            LOG.error("audit trail broken ({}): no checkpoint signed; run 'stowage audit verify'", chain.intact()
                    ? "it ends at " + head.get().sequence() + ", before the last checkpoint at " + anchoredSequence
                    : chain.problem());
            return Optional.empty();
        }
        AuditCheckpoint checkpoint = settings.key().sign(chain.lastSequence(), chain.lastHash(), java.time.Instant.now());
        store.saveCheckpoint(checkpoint);
        if (settings.lastCheckpointFile().isPresent()) {
            try {
                LastCheckpoint.write(settings.lastCheckpointFile().get(), checkpoint);
            } catch (IOException e) {
                LOG.error("cannot keep the last audit checkpoint in {}: {}", settings.lastCheckpointFile().get(), e.toString());
            }
        }
        String json = checkpoint.toJson();
        if (lines != null) lines.accept(json);
        LOG.info("audit checkpoint: sequence {} head {} {}", checkpoint.sequence(), checkpoint.hash(), json);
        anchoredSequence = checkpoint.sequence();
        anchoredHash = checkpoint.hash();
        return Optional.of(checkpoint);
    }

    public static String toJson(AuditRecord r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sequence", r.sequence());
        m.put("at", r.event().at().toString());
        m.put("actor", r.event().actor());
        m.put("source", r.event().sourceAddress());
        m.put("userAgent", r.event().userAgent());
        m.put("action", r.event().action());
        m.put("repository", r.event().repository());
        m.put("reference", r.event().reference());
        m.put("digest", r.event().digest() == null ? "" : r.event().digest());
        m.put("outcome", r.event().outcome());
        m.put("detail", r.event().detail());
        m.put("previousHash", r.previousHash());
        m.put("hash", r.hash());
        try {
            return JSON.writeValueAsString(m);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        closed = true;
        writer.interrupt();
        try {
            writer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flush();
        checkpointOrLog();
    }

    /** Checks the whole chain: every hash recomputes, every record links to the one before. */
    public static VerifyResult verify(AuditStore store) {
        AuditVerification.Chain chain = AuditVerification.walk(store, 0, AuditRecord.GENESIS, java.util.Set.of());
        return new VerifyResult(chain.intact(), chain.verified(), chain.firstBadSequence(), chain.problem());
    }

    public record VerifyResult(boolean intact, long verified, long firstBadSequence, String problem) {}
}
