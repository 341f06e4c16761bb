package dev.stowage.server;

import java.time.Duration;
import java.util.Optional;

/**
 * @param host            address to bind
 * @param port            port to bind; 0 picks a free one
 * @param ioThreads       event-loop threads (0: one per core)
 * @param maxHeaderBytes  largest request header block accepted
 * @param tls             HTTPS settings; empty serves plain HTTP
 * @param network         allowlist and rate limit applied to every request
 * @param connections     timeouts and caps that keep idle or stalled connections from exhausting the server
 */
public record ServerSettings(String host, int port, int ioThreads, int maxHeaderBytes, Optional<TlsSettings> tls,
                             NetworkPolicy network, Connections connections) {

    /**
     * How long a connection may stay silent, and how many may be open.
     *
     * @param idleTimeout              keep-alive: longest wait for the next request on an open connection
     * @param headerTimeout            a request's headers must be complete this long after its first byte (or after
     *                                 the connection opened); a deadline, so trickling bytes does not extend it
     * @param bodyTimeout              longest silence while a request body is expected or a response is being
     *                                 written (a slow transfer that makes progress is never cut)
     * @param maxConnections           open connections in total (0: derived from the file-descriptor limit)
     * @param maxConnectionsPerAddress open connections from one client address (0: no cap)
     */
    public record Connections(Duration idleTimeout, Duration headerTimeout, Duration bodyTimeout, int maxConnections,
                              int maxConnectionsPerAddress) {
        public static final Connections DEFAULTS = new Connections(Duration.ofSeconds(60), Duration.ofSeconds(20),
                Duration.ofSeconds(60), 0, 1000);

        public Connections {
            requirePositive(idleTimeout, "idleTimeout");
            requirePositive(headerTimeout, "headerTimeout");
            requirePositive(bodyTimeout, "bodyTimeout");
            if (maxConnections < 0) throw new IllegalArgumentException("maxConnections must be >= 0");
            if (maxConnectionsPerAddress < 0) throw new IllegalArgumentException("maxConnectionsPerAddress must be >= 0");
        }

        private static void requirePositive(Duration d, String name) {
            if (d == null || d.isNegative() || d.isZero()) throw new IllegalArgumentException(name + " must be positive");
        }
    }

    public ServerSettings(String host, int port, int ioThreads, int maxHeaderBytes, Optional<TlsSettings> tls,
                          NetworkPolicy network) {
        this(host, port, ioThreads, maxHeaderBytes, tls, network, Connections.DEFAULTS);
    }

    public static ServerSettings of(String host, int port) {
        return new ServerSettings(host, port, 0, 16 * 1024, Optional.empty(), NetworkPolicy.OPEN);
    }

    public ServerSettings withNetwork(NetworkPolicy policy) {
        return new ServerSettings(host, port, ioThreads, maxHeaderBytes, tls, policy, connections);
    }

    public ServerSettings withConnections(Connections limits) {
        return new ServerSettings(host, port, ioThreads, maxHeaderBytes, tls, network, limits);
    }
}
