package dev.stowage.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * Closes a connection that stays silent for too long in the phase it is in (slowloris, idle floods, stalled
 * uploads, clients that stop reading). Only silence counts: a transfer that makes progress, however slowly,
 * is never cut.
 * <ul>
 * <li>{@link Phase#AWAITING_REQUEST}: keep-alive; no byte of a next request within the idle timeout.</li>
 * <li>{@link Phase#HEADERS}: the headers must be complete within the header timeout of the request's first byte
 *     (of the connection's opening, for the first request). A deadline: trickling bytes does not extend it.</li>
 * <li>{@link Phase#BODY}: no body byte for the body timeout (not counted while reading is paused because
 *     storage is behind).</li>
 * <li>{@link Phase#SERVING}: the server is working or writing; only a response that stops moving (output pending,
 *     no progress for the body timeout: the client stopped reading) is closed, never a slow server.</li>
 * </ul>
 * Sits before the HTTP codec so it sees raw bytes; {@link ConnectionHandler} moves it from phase to phase. Like
 * Netty's IdleStateHandler (which has one fixed period, not a deadline per phase) it keeps one scheduled check per
 * connection and only records times on reads, so thousands of idle connections cost one timer each.
 */
final class RequestTimeouts extends ChannelDuplexHandler {
    private static final Logger LOG = LoggerFactory.getLogger(RequestTimeouts.class);

    enum Phase { AWAITING_REQUEST, HEADERS, BODY, SERVING }

    private final long idleNanos;
    private final long headerNanos;
    private final long bodyNanos;
    private ChannelHandlerContext ctx;
    private Phase phase = Phase.HEADERS;
    private long phaseStart;
    private long lastRead;
    private ScheduledFuture<?> check;
    private long checkAt;
    // Output progress, sampled while serving.
    private Object outputMessage;
    private long outputProgress;
    private long outputPending;
    private long outputMoved;

    RequestTimeouts(ServerSettings.Connections settings) {
        this.idleNanos = settings.idleTimeout().toNanos();
        this.headerNanos = settings.headerTimeout().toNanos();
        this.bodyNanos = settings.bodyTimeout().toNanos();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive() && ctx.channel().isRegistered()) start();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        if (check == null) start();
        super.channelActive(ctx);
    }

    private void start() {
        phaseStart = lastRead = System.nanoTime();
        scheduleAt(phaseStart + headerNanos);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (check != null) check.cancel(false);
        super.channelInactive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        lastRead = System.nanoTime();
        if (phase == Phase.AWAITING_REQUEST && msg instanceof ByteBuf buf && buf.isReadable()) {
            // The first byte of the next request: from now on its headers have a deadline.
            enter(Phase.HEADERS);
        }
        ctx.fireChannelRead(msg);
    }

    /** Event loop: the connection moved to {@code next}. */
    void enter(Phase next) {
        long now = System.nanoTime();
        phase = next;
        phaseStart = lastRead = now;
        outputMessage = null;
        outputMoved = now;
        long deadline = switch (next) {
            case AWAITING_REQUEST -> now + idleNanos;
            case HEADERS -> now + headerNanos;
            case BODY, SERVING -> now + bodyNanos;
        };
        // The scheduled check re-arms itself; only a deadline earlier than the one it is waiting for needs a new one.
        if (check == null || deadline < checkAt) scheduleAt(deadline);
    }

    Phase phase() {
        return phase;
    }

    private void scheduleAt(long deadline) {
        if (check != null) check.cancel(false);
        checkAt = deadline;
        check = ctx.executor().schedule(this::check, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void check() {
        check = null;
        if (!ctx.channel().isActive()) return;
        long now = System.nanoTime();
        long deadline = switch (phase) {
            case AWAITING_REQUEST -> phaseStart + idleNanos;
            case HEADERS -> phaseStart + headerNanos;
            case BODY -> lastRead + bodyNanos;
            case SERVING -> outputMoved(now) + bodyNanos;
        };
        if (now - deadline >= 0) {
            LOG.debug("closing {}: silent too long while {}", ctx.channel().remoteAddress(), phase);
            ctx.close();
        } else {
            scheduleAt(deadline);
        }
    }

    /** When the response last made progress (or now, while nothing is waiting to be written: the server is busy). */
    private long outputMoved(long now) {
        ChannelOutboundBuffer out = ctx.channel().unsafe().outboundBuffer();
        if (out == null || (out.current() == null && out.totalPendingWriteBytes() == 0)) {
            outputMessage = null;
            outputMoved = now;
            return now;
        }
        Object message = out.current();
        long progress = out.currentProgress();
        long pending = out.totalPendingWriteBytes();
        if (message != outputMessage || progress != outputProgress || pending != outputPending) {
            outputMessage = message;
            outputProgress = progress;
            outputPending = pending;
            outputMoved = now;
        }
        return outputMoved;
    }
}
