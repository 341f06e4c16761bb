package dev.stowage.server;

import dev.stowage.core.access.AccessController;
import dev.stowage.core.service.RegistryService;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.stream.ChunkedWriteHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import dev.stowage.core.service.ProjectLifecycle;
import dev.stowage.core.event.EventPublisher;
import dev.stowage.core.service.GarbageCollector;
import dev.stowage.identity.AccountService;
import dev.stowage.identity.TokenGrants;

/** The HTTP server: Netty event loops (native epoll where available) in front of the registry API. */
public final class RegistryServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryServer.class);

    private final EventLoopGroup group;
    private final Channel serverChannel;
    private final Optional<ReloadingSslContext> tls;

    private final RegistryApi api;

    private RegistryServer(EventLoopGroup group, Channel serverChannel, Optional<ReloadingSslContext> tls, RegistryApi api) {
        this.group = group;
        this.serverChannel = serverChannel;
        this.tls = tls;
        this.api = api;
    }

    /** Manifest requests answered on an event loop from memory (cache and access check), since the start. */
    public long inlineAnswers() {
        return api.inlineAnswers.sum();
    }

    public static RegistryServer start(ServerSettings settings, RegistryService service, AccessController access)
            throws InterruptedException {
        return start(settings, service, access, ServerParts.none());
    }

    /**
     * With the token endpoint at {@code /token} and an admin API of users, projects, robots and garbage collection
     * (the routes every node with accounts has; a node's other capabilities add theirs through {@link ServerParts}).
     */
    public static RegistryServer start(ServerSettings settings, RegistryService service, AccessController access,
                                       TokenGrants grants, AccountService accounts) throws InterruptedException {
        ProjectLifecycle lifecycle = new ProjectLifecycle(service, Optional.empty(), EventPublisher.NOOP);
        return start(settings, service, access, ServerParts.none().withTokens(grants).withAdminRoutes(List.of(
                new AccountRoutes(accounts), new ProjectRoutes(accounts, lifecycle), new RobotRoutes(accounts),
                new CollectionRoutes(new GarbageCollector(service, EventPublisher.NOOP)))));
    }

    /** With what the node's capabilities assembled: token endpoint, sign-in, audit trail, admin routes, events. */
    public static RegistryServer start(ServerSettings settings, RegistryService service, AccessController access,
                                       ServerParts parts) throws InterruptedException {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        int threads = settings.ioThreads() > 0 ? settings.ioThreads() : Runtime.getRuntime().availableProcessors();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads, io);
        Class<? extends ServerChannel> channelType = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        Optional<AdminApi> admin = parts.adminRoutes().isEmpty() ? Optional.empty()
                : Optional.of(new AdminApi(access, parts.adminRoutes()));
        RegistryApi api = new RegistryApi(service, access, parts.tokens().map(TokenApi::new), admin,
                parts.signIn().flatMap(s -> parts.tokens().map(g -> new SignInApi(s, g))), parts.events());
        Optional<HttpAudit> httpAudit = parts.audit().map(HttpAudit::new);
        AccessLog accessLog = new AccessLog();
        HttpDecoderConfig decoderConfig = new HttpDecoderConfig()
                .setMaxInitialLineLength(8192)
                .setMaxHeaderSize(settings.maxHeaderBytes())
                .setMaxChunkSize(1 << 20);
        ServerSettings.Connections limits = settings.connections();
        ConnectionLimiter limiter = new ConnectionLimiter(
                limits.maxConnections() > 0 ? limits.maxConnections() : ConnectionLimiter.fromFileDescriptorLimit(),
                limits.maxConnectionsPerAddress(), settings.tls().isPresent());
        Optional<ReloadingSslContext> tls = Optional.empty();
        try {
            if (settings.tls().isPresent()) tls = Optional.of(new ReloadingSslContext(settings.tls().get(), 2000));
            Optional<ReloadingSslContext> sslContext = tls;
            ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(group)
                    .channel(channelType)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.RECVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(4096, 16 * 1024, 64 * 1024))
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            if (!limiter.admit(ch)) return;
                            sslContext.ifPresent(ssl -> ch.pipeline().addLast("tls", PlainHttpOnTlsPort.detector(ssl.current())));
                            RequestTimeouts timeouts = new RequestTimeouts(limits);
                            ch.pipeline()
                                    .addLast("timeouts", timeouts)
                                    .addLast("http", new HttpServerCodec(decoderConfig))
                                    .addLast("continue", new HttpServerExpectContinueHandler())
                                    .addLast("chunked", new ChunkedWriteHandler())
                                    .addLast("registry", new ConnectionHandler(api, accessLog, settings.network(), httpAudit,
                                            timeouts));
                        }
                    });
            // await, not sync: sync rethrows a failed bind's checked IOException undeclared, past every catch.
            ChannelFuture bound = bootstrap.bind(new InetSocketAddress(settings.host(), settings.port())).await();
            if (!bound.isSuccess()) {
                throw new java.io.UncheckedIOException("cannot listen on " + settings.host() + ":" + settings.port(),
                        bound.cause() instanceof java.io.IOException failure ? failure : new java.io.IOException(bound.cause()));
            }
            Channel channel = bound.channel();
            LOG.info("listening on {}://{}:{} ({}, {} event loops)", tls.isPresent() ? "https" : "http", settings.host(),
                    ((InetSocketAddress) channel.localAddress()).getPort(), epoll ? "epoll" : "nio", threads);
            LOG.info("connections: at most {} ({} per address), idle timeout {}, header timeout {}, body timeout {}",
                    limiter.maxTotal(), limits.maxConnectionsPerAddress() > 0 ? limits.maxConnectionsPerAddress() : "no cap",
                    limits.idleTimeout(), limits.headerTimeout(), limits.bodyTimeout());
            return new RegistryServer(group, channel, tls, api);
        } catch (InterruptedException | RuntimeException e) {
            tls.ifPresent(ReloadingSslContext::close);
            group.shutdownGracefully();
            throw e;
        }
    }

    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** How many times the TLS files have been checked for a change (0 without TLS). */
    long tlsChecks() {
        return tls.map(ReloadingSslContext::checks).orElse(0L);
    }

    public void awaitClose() throws InterruptedException {
        serverChannel.closeFuture().sync();
    }

    @Override
    public void close() {
        tls.ifPresent(ReloadingSslContext::close);
        serverChannel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 5, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
