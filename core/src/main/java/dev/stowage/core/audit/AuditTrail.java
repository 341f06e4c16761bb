package dev.stowage.core.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.stowage.core.spi.AuditStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Records audit events without slowing the requests that cause them: {@link #record} only queues (it may run on
 * an event loop); a background thread appends what is queued to the store in batches, in order, every
 * {@code flushMillis}, and then writes each record as one JSON line to the optional stream (a file or stdout for
 * a SIEM). A crash loses at most the last batch interval of events.
 */
public final class AuditTrail implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuditTrail.class);
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final int MAX_QUEUED = 1_000_000;

    private final AuditStore store;
    private final Consumer<String> lines;
    private final ConcurrentLinkedQueue<AuditEvent> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final Thread writer;
    private volatile boolean closed;

    public AuditTrail(AuditStore store, Consumer<String> lines, long flushMillis) {
        this.store = store;
        this.lines = lines;
        this.writer = Thread.ofPlatform().name("audit-writer").daemon().start(() -> run(flushMillis));
    }

    public void record(AuditEvent event) {
        if (queued.incrementAndGet() > MAX_QUEUED) {
            queued.decrementAndGet();
            LOG.error("audit queue full; event dropped: {} {} {}", event.action(), event.repository(), event.outcome());
            return;
        }
        queue.add(event);
    }

    private void run(long flushMillis) {
        while (!closed || !queue.isEmpty()) {
            try {
                if (queue.isEmpty()) TimeUnit.MILLISECONDS.sleep(flushMillis);
                flush();
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
    public synchronized void flush() {
        List<AuditEvent> batch = new ArrayList<>();
        for (AuditEvent e; batch.size() < 5000 && (e = queue.peek()) != null; ) {
            batch.add(e);
            queue.poll();
        }
        if (batch.isEmpty()) return;
        List<AuditRecord> written;
        try {
            written = store.append(batch);
        } catch (RuntimeException e) {
            // Put them back in front, in order, so the chain keeps the order they happened in.
            List<AuditEvent> rest = new ArrayList<>(queue);
            queue.clear();
            queue.addAll(batch);
            queue.addAll(rest);
            throw e;
        }
        queued.addAndGet(-batch.size());
        if (lines != null) for (AuditRecord r : written) lines.accept(toJson(r));
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
    }

    /** Checks the whole chain: every hash recomputes, every record links to the one before. */
    public static VerifyResult verify(AuditStore store) {
        long after = 0;
        String previous = AuditRecord.GENESIS;
        long count = 0;
        while (true) {
            List<AuditRecord> page = store.query(after, 10_000, java.util.Optional.empty(), java.util.Optional.empty(),
                    java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty());
            if (page.isEmpty()) return new VerifyResult(true, count, -1, "");
            for (AuditRecord r : page) {
                if (r.sequence() != after + 1) return new VerifyResult(false, count, r.sequence(), "sequence gap before " + r.sequence());
                if (!r.previousHash().equals(previous)) return new VerifyResult(false, count, r.sequence(), "chain broken at " + r.sequence());
                if (!r.isIntact()) return new VerifyResult(false, count, r.sequence(), "record " + r.sequence() + " was altered");
                previous = r.hash();
                after = r.sequence();
                count++;
            }
        }
    }

    public record VerifyResult(boolean intact, long verified, long firstBadSequence, String problem) {}
}
