package dev.stowage.server;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The access log over real HTTP: client-controlled text can neither forge lines or fields nor reach a terminal raw. */
class AccessLogTest {
    @TempDir Path root;
    TestRegistry registry;
    final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    final Logger accessLogger = (Logger) LoggerFactory.getLogger("access");

    ch.qos.logback.classic.Level levelBefore;

    @BeforeEach
    void start() throws Exception {
        levelBefore = accessLogger.getLevel();
        accessLogger.setLevel(ch.qos.logback.classic.Level.INFO);
        accessLogger.setAdditive(false);
        appender.start();
        accessLogger.addAppender(appender);
        registry = new TestRegistry(root);
    }

    @AfterEach
    void stop() throws Exception {
        registry.close();
        accessLogger.detachAppender(appender);
        accessLogger.setLevel(levelBefore);
        accessLogger.setAdditive(true);
    }

    String onlyLine() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (appender.list.isEmpty() && System.nanoTime() < deadline) Thread.sleep(10);
        List<ILoggingEvent> events = List.copyOf(appender.list);
        assertThat(events).hasSize(1);
        return events.getFirst().getFormattedMessage();
    }

    @Test
    void controlCharactersInTheUriAreEscaped() throws Exception {
        try (RawHttp c = new RawHttp(registry.server.port())) {
            c.send("GET /v2/\u001b[2J\u009bx\u0007 HTTP/1.1\r\nHost: x\r\n\r\n").read();
        }
        String line = onlyLine();
        assertThat(line.chars().filter(ch -> ch < 0x20 || ch >= 0x7f)).isEmpty();
        assertThat(line).contains(" /v2/\\x1b[2J\\x9bx\\x07 ");
    }

    @Test
    void quotesAndNonAsciiInTheUserAgentCannotForgeFields() throws Exception {
        try (RawHttp c = new RawHttp(registry.server.port())) {
            c.send("GET /v2/ HTTP/1.1\r\nHost: x\r\nUser-Agent: docker\" 500 0 0.1ms \"forged\u009b\\\r\n\r\n").read();
        }
        String line = onlyLine();
        assertThat(line.chars().filter(ch -> ch < 0x20 || ch >= 0x7f)).isEmpty();
        assertThat(line).endsWith(" \"docker\\\" 500 0 0.1ms \\\"forged\\x9b\\\\\"");
    }

    @Test
    void anEndlessUserAgentIsCut() throws Exception {
        try (RawHttp c = new RawHttp(registry.server.port())) {
            c.send("GET /v2/ HTTP/1.1\r\nHost: x\r\nUser-Agent: " + "a".repeat(10_000) + "\r\n\r\n").read();
        }
        assertThat(onlyLine()).contains("\"" + "a".repeat(256) + "...\"").doesNotContain("a".repeat(257));
    }
}
