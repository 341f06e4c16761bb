package dev.stowage.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One line per request on the "access" logger: client, method, path, status, bytes sent, duration, agent. */
final class AccessLog {
    private static final Logger LOG = LoggerFactory.getLogger("access");

    void log(Exchange exchange) {
        if (!LOG.isInfoEnabled()) return;
        long micros = (System.nanoTime() - exchange.startNanos()) / 1000;
        LOG.info("{} {} {} {} {} {}.{}ms \"{}\"{}", exchange.clientAddress(), exchange.method(), exchange.rawUri(),
                exchange.status(), exchange.bytesSent(), micros / 1000, String.format("%03d", micros % 1000),
                ConnectionHandler.userAgent(exchange),
                exchange.failureNote() == null ? "" : " " + exchange.failureNote());
    }
}
