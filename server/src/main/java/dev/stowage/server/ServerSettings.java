package dev.stowage.server;

import java.util.Optional;

/**
 * @param host            address to bind
 * @param port            port to bind; 0 picks a free one
 * @param ioThreads       event-loop threads (0: one per core)
 * @param maxHeaderBytes  largest request header block accepted
 * @param tls             HTTPS settings; empty serves plain HTTP
 * @param network         allowlist and rate limit applied to every request
 */
public record ServerSettings(String host, int port, int ioThreads, int maxHeaderBytes, Optional<TlsSettings> tls,
                             NetworkPolicy network) {
    public static ServerSettings of(String host, int port) {
        return new ServerSettings(host, port, 0, 16 * 1024, Optional.empty(), NetworkPolicy.OPEN);
    }

    public ServerSettings withNetwork(NetworkPolicy policy) {
        return new ServerSettings(host, port, ioThreads, maxHeaderBytes, tls, policy);
    }
}
