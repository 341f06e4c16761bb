package dev.stowage.server;

import dev.stowage.core.service.BodySource;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A request body handed from the event loop (which offers network buffers) to a virtual thread (which drains them
 * into storage). Bounded: above a high-water mark the connection stops reading until the consumer catches up,
 * so a slow disk never makes the server buffer a whole blob.
 */
final class RequestBody implements BodySource {
    // Counted until the consumer has written the bytes, not only until it takes them: buffers in flight to the disk
    // are memory too. Per connection, enough to keep a disk streaming; and all bodies together stay under
    // ALL_BODIES_HIGH_WATER, half the direct memory the launcher allows (app/src/main/launch/jvm.options), so that many
    // uploads at once slow each other down instead of leaving no buffer for the next read of another client.
    static final long HIGH_WATER = 1L << 20;
    static final long LOW_WATER = 256L << 10;
    static final long ALL_BODIES_HIGH_WATER = 32L << 20;
    private static final java.util.concurrent.atomic.AtomicLong ALL_BODIES = new java.util.concurrent.atomic.AtomicLong();

    /**
     * Bodies read whole into the heap (manifests, API JSON, token forms) share this many bytes, held from the read
     * until the request is answered: many large manifests pushed at once wait their turn (then get 429) instead of
     * exhausting a small heap. Manifests of a few kilobytes, the usual size, never notice it.
     */
    static final int WHOLE_BODIES_BUDGET = 8 << 20;
    private static final Semaphore WHOLE_BODIES = new Semaphore(WHOLE_BODIES_BUDGET);
    private static final long WHOLE_BODY_WAIT_SECONDS = 30;

    interface Backpressure {
        /** Called (from any thread) when reading from the network should pause or resume. */
        void pauseReading(boolean pause);
    }

    private final long declaredLength;
    private final Backpressure backpressure;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<ByteBuf> queue = new ArrayDeque<>();
    private long queuedBytes;
    private boolean ended;
    private boolean discarding;
    private boolean paused;
    private Throwable failure;
    private long received;
    private int heldBudget;

    RequestBody(long declaredLength, Backpressure backpressure) {
        this.declaredLength = declaredLength;
        this.backpressure = backpressure;
    }

    /** Event loop: a piece of the body arrived. Takes its own reference to the content. */
    void offer(HttpContent content) {
        boolean pause = false;
        lock.lock();
        try {
            ByteBuf buf = content.content();
            received += buf.readableBytes();
            if (!discarding && buf.isReadable()) {
                queue.add(buf.retain());
                queuedBytes += buf.readableBytes();
                long all = ALL_BODIES.addAndGet(buf.readableBytes());
                if ((queuedBytes > HIGH_WATER || all > ALL_BODIES_HIGH_WATER) && !paused) pause = paused = true;
            }
            if (content instanceof LastHttpContent) ended = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (pause) backpressure.pauseReading(true);
    }

    /**
     * Event loop: the connection went away before the body ended, or the body's framing broke (a
     * {@link dev.stowage.core.RegistryException}, which the consumer then throws instead of reading on).
     */
    void fail(Throwable cause) {
        lock.lock();
        try {
            if (!ended) failure = cause;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    boolean ended() {
        lock.lock();
        try {
            return ended;
        } finally {
            lock.unlock();
        }
    }

    long received() {
        lock.lock();
        try {
            return received;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long declaredLength() {
        return declaredLength;
    }

    @Override
    public void drainTo(ChunkSink sink) throws IOException {
        List<ByteBuf> batch = new ArrayList<>();
        while (true) {
            boolean resume = false;
            lock.lock();
            try {
                while (queue.isEmpty() && !ended && failure == null) {
                    // Paused for the others' sake with nothing of its own queued: read on once they have drained.
                    if (paused && ALL_BODIES.get() <= ALL_BODIES_HIGH_WATER) {
                        paused = false;
                        lock.unlock();
                        try {
                            backpressure.pauseReading(false);
                        } finally {
                            lock.lock();
                        }
                        continue;
                    }
                    try {
                        changed.awaitNanos(20_000_000L);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new java.io.InterruptedIOException("interrupted reading the request body");
                    }
                }
                if (failure instanceof dev.stowage.core.RegistryException malformed) throw malformed;
                if (failure != null) throw new ClosedChannelException();
                if (queue.isEmpty() && ended) return;
                while (!queue.isEmpty()) batch.add(queue.poll());
            } finally {
                lock.unlock();
            }
            try {
                for (ByteBuf buf : batch) {
                    if (buf.nioBufferCount() == 1) {
                        sink.accept(buf.nioBuffer());
                    } else {
                        for (ByteBuffer b : buf.nioBuffers()) sink.accept(b);
                    }
                }
            } finally {
                long done = 0;
                for (ByteBuf buf : batch) {
                    done += buf.readableBytes();
                    buf.release();
                }
                batch.clear();
                lock.lock();
                try {
                    queuedBytes -= done;
                    ALL_BODIES.addAndGet(-done);
                    if (paused && queuedBytes < LOW_WATER && ALL_BODIES.get() <= ALL_BODIES_HIGH_WATER) {
                        paused = false;
                        resume = true;
                    }
                } finally {
                    lock.unlock();
                }
                if (resume) backpressure.pauseReading(false);
            }
        }
    }

    @Override
    public void discard() {
        boolean resume;
        lock.lock();
        try {
            discarding = true;
            queue.forEach(ByteBuf::release);
            queue.clear();
            ALL_BODIES.addAndGet(-queuedBytes);
            queuedBytes = 0;
            resume = paused;
            paused = false;
        } finally {
            lock.unlock();
        }
        if (resume) backpressure.pauseReading(false);
    }

    /** Reads a small body whole (manifests), refusing more than {@code limit} bytes. */
    byte[] readFully(int limit, Runnable tooLarge) throws IOException {
        if (declaredLength > limit) {
            // Refused from the headers alone: never wait for (or buffer) a body that cannot be accepted.
            discard();
            tooLarge.run();
        }
        reserve((int) Math.min(declaredLength >= 0 ? declaredLength : limit, WHOLE_BODIES_BUDGET));
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(
                declaredLength > 0 && declaredLength <= limit ? (int) declaredLength : 1024);
        drainTo(chunk -> {
            if (out.size() + chunk.remaining() > limit) {
                discard();
                tooLarge.run();
            }
            byte[] bytes = new byte[chunk.remaining()];
            chunk.get(bytes);
            out.write(bytes);
        });
        return out.toByteArray();
    }

    private void reserve(int bytes) throws IOException {
        if (bytes <= 0) return;
        boolean granted;
        try {
            granted = WHOLE_BODIES.tryAcquire(bytes, WHOLE_BODY_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted waiting for memory for the request body");
        }
        if (!granted) {
            discard();
            throw new dev.stowage.core.RegistryException(dev.stowage.core.ErrorCode.TOOMANYREQUESTS,
                    "too many large request bodies at once; retry later", null, 429);
        }
        heldBudget += bytes;
    }

    /** The request was answered (or failed): what {@link #readFully} reserved goes back to the shared budget. */
    void releaseWholeBody() {
        if (heldBudget > 0) WHOLE_BODIES.release(heldBudget);
        heldBudget = 0;
    }
}
