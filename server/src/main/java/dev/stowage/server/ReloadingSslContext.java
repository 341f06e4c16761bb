package dev.stowage.server;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The server's TLS context, rebuilt when the certificate, key or client CA files change (a renewed certificate
 * is picked up without a restart). New connections use the newest context; open ones keep theirs. A broken
 * replacement (half-written file, key that does not match) is logged and the working context kept.
 */
final class ReloadingSslContext implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReloadingSslContext.class);

    private final TlsSettings settings;
    private final AtomicReference<SslContext> current = new AtomicReference<>();
    private final ScheduledExecutorService watcher;
    private volatile List<FileTime> stamps;

    ReloadingSslContext(TlsSettings settings, long checkIntervalMillis) throws IOException {
        this.settings = settings;
        this.stamps = stamps();
        this.current.set(build());
        this.watcher = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("tls-reload").daemon().factory());
        watcher.scheduleWithFixedDelay(this::reloadIfChanged, checkIntervalMillis, checkIntervalMillis, TimeUnit.MILLISECONDS);
    }

    SslContext current() {
        return current.get();
    }

    private void reloadIfChanged() {
        try {
            List<FileTime> now = stamps();
            if (now.equals(stamps)) return;
            SslContext rebuilt = build();
            current.set(rebuilt);
            stamps = now;
            LOG.info("TLS certificate reloaded from {}", settings.certificate());
        } catch (IOException | RuntimeException e) {
            LOG.warn("TLS files changed but could not be loaded ({}); keeping the previous certificate", e.toString());
        }
    }

    private List<FileTime> stamps() throws IOException {
        List<FileTime> times = new ArrayList<>();
        times.add(Files.getLastModifiedTime(settings.certificate()));
        times.add(Files.getLastModifiedTime(settings.key()));
        if (settings.clientCa().isPresent()) times.add(Files.getLastModifiedTime(settings.clientCa().get()));
        return times;
    }

    private SslContext build() throws IOException {
        SslContextBuilder builder = SslContextBuilder.forServer(settings.certificate().toFile(), settings.key().toFile());
        if (settings.clientCa().isPresent()) {
            builder.trustManager(settings.clientCa().get().toFile())
                    .clientAuth(settings.requireClientCertificate() ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL);
        }
        return builder.build();
    }

    @Override
    public void close() {
        watcher.shutdownNow();
    }
}
