package dev.stowage.server;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The server's TLS context, rebuilt when the certificate, key or client CA files change (a renewed certificate
 * is picked up without a restart). New connections use the newest context; open ones keep theirs. A replacement is
 * served only once certificate and key belong together and the chain is valid ({@link TlsMaterial}): renewal tools
 * write one file at a time, and until the other follows the working pair stays, with one warning per change.
 */
final class ReloadingSslContext implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReloadingSslContext.class);

    private final TlsSettings settings;
    private final AtomicReference<SslContext> current = new AtomicReference<>();
    private final ScheduledExecutorService watcher;
    private final AtomicLong checks = new AtomicLong();
    /** The file times last looked at, served or refused: a refused change is reported once, not at every check. */
    private volatile List<FileTime> stamps;

    /** Loads the files; throws {@link TlsMaterial.Unusable} (one line naming the file) when they cannot be served. */
    ReloadingSslContext(TlsSettings settings, long checkIntervalMillis) {
        this.settings = settings;
        this.stamps = stamps();
        this.current.set(build());
        this.watcher = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("tls-reload").daemon().factory());
        watcher.scheduleWithFixedDelay(this::reloadIfChanged, checkIntervalMillis, checkIntervalMillis, TimeUnit.MILLISECONDS);
    }

    SslContext current() {
        return current.get();
    }

    /** How many times the files have been looked at since start-up. */
    long checks() {
        return checks.get();
    }

    private void reloadIfChanged() {
        try {
            List<FileTime> now = stamps();
            if (Objects.equals(now, stamps)) return;
            stamps = now;
            current.set(build());
            LOG.info("TLS certificate reloaded from {}", settings.certificate());
        } catch (RuntimeException e) {
            LOG.warn("{}; still serving the previous certificate until a matching pair is in place", e.getMessage());
        } finally {
            checks.incrementAndGet();
        }
    }

    /** The files' modification times; null for a file that is missing right now (a renewal between two moves). */
    private List<FileTime> stamps() {
        List<FileTime> times = new ArrayList<>();
        times.add(modified(settings.certificate()));
        times.add(modified(settings.key()));
        settings.clientCa().ifPresent(ca -> times.add(modified(ca)));
        return times;
    }

    private static FileTime modified(java.nio.file.Path file) {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            return null;
        }
    }

    private SslContext build() {
        TlsMaterial material = TlsMaterial.load(settings.certificate(), settings.key(), settings.keyPassword());
        material.expiresSoon(Instant.now()).ifPresent(notAfter -> LOG.warn(
                "the TLS certificate {} expires on {}; renew it (the new files are picked up without a restart)",
                settings.certificate(), notAfter));
        SslContextBuilder builder = SslContextBuilder.forServer(material.key(), material.chain());
        if (settings.clientCa().isPresent()) {
            builder.trustManager(settings.clientCa().get().toFile())
                    .clientAuth(settings.requireClientCertificate() ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL);
        }
        try {
            return builder.build();
        } catch (SSLException | IllegalArgumentException e) {
            String message = e.getMessage() == null ? e.toString() : e.getMessage().replaceAll("\\s+", " ");
            throw new TlsMaterial.Unusable("cannot use the certificate " + settings.certificate() + " or the client CA "
                    + settings.clientCa().map(Object::toString).orElse("(none)") + " (" + message + "); check tls.clientCa");
        }
    }

    @Override
    public void close() {
        watcher.shutdownNow();
    }
}
