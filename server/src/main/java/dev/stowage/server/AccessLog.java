package dev.stowage.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One line per request on the "access" logger: client, method, URI, status, bytes sent, duration, agent, error. */
final class AccessLog {
    private static final Logger LOG = LoggerFactory.getLogger("access");

    void log(Exchange exchange) {
        if (!LOG.isInfoEnabled()) return;
        long micros = (System.nanoTime() - exchange.startNanos()) / 1000;
        StringBuilder line = new StringBuilder(160)
                .append(exchange.clientAddress()).append(' ')
                .append(exchange.method().name()).append(' ')
                .append(exchange.rawUri()).append(' ')
                .append(exchange.status()).append(' ')
                .append(exchange.bytesSent()).append(' ')
                .append(micros / 1000).append('.');
        long fraction = micros % 1000;
        if (fraction < 100) line.append('0');
        if (fraction < 10) line.append('0');
        line.append(fraction).append("ms \"").append(ConnectionHandler.userAgent(exchange)).append('"');
        if (exchange.failureNote() != null) line.append(' ').append(exchange.failureNote());
        LOG.info(line.toString());
    }
}
