package dev.stowage.it.support;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Prints the logs of the servers a test uses (registries, dockerd: those its class started before its tests, and
 * those the test started) when it fails, or when set-up fails: the client's error alone rarely says what the server
 * did. It prints as the failure is thrown, before temporary directories (where the logs are) are removed.
 * Registered for every test class by JUnit's extension auto-detection (META-INF/services, junit-platform.properties).
 */
public final class ServerLogs implements BeforeAllCallback, BeforeEachCallback, TestExecutionExceptionHandler,
        LifecycleMethodExecutionExceptionHandler {
    private static final int TAIL_LINES = 150;
    private record Log(String name, Path file) {}
    private static final List<Log> LOGS = new CopyOnWriteArrayList<>();
    // Tests of a class run one after another: [classStart, classEnd) are the class's servers, [testStart, ...) the test's.
    private static volatile int classStart;
    private static volatile int classEnd = -1;
    private static volatile int testStart;

    static void started(StowageProcess server) {
        register(server.describe(), server.logFile());
    }

    /** Any other server log worth showing when the current test fails. */
    public static void register(String name, Path file) {
        if (LOGS.stream().noneMatch(l -> l.file().equals(file))) LOGS.add(new Log(name, file)); // restarts append
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        classStart = LOGS.size();
        classEnd = -1;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (classEnd < 0) classEnd = LOGS.size();
        testStart = LOGS.size();
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable cause) throws Throwable {
        if (!(cause instanceof org.opentest4j.TestAbortedException)) print(context.getDisplayName());
        throw cause;
    }

    @Override
    public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable cause) throws Throwable {
        if (!(cause instanceof org.opentest4j.TestAbortedException)) print(context.getDisplayName() + " set-up");
        throw cause;
    }

    @Override
    public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable cause) throws Throwable {
        if (!(cause instanceof org.opentest4j.TestAbortedException)) print(context.getDisplayName() + " set-up");
        throw cause;
    }

    private static void print(String test) {
        List<Log> all = List.copyOf(LOGS);
        int end = classEnd < 0 ? all.size() : classEnd;
        List<Log> logs = new java.util.ArrayList<>(all.subList(Math.min(classStart, end), end));
        if (classEnd >= 0) logs.addAll(all.subList(Math.min(testStart, all.size()), all.size()));
        StringBuilder out = new StringBuilder();
        for (Log log : logs) {
            out.append("\n----- ").append(test).append(" failed; last ").append(TAIL_LINES).append(" lines of ")
                    .append(log.name()).append(" (").append(log.file()).append(") -----\n");
            try {
                List<String> lines = Files.exists(log.file())
                        ? new String(Files.readAllBytes(log.file()), StandardCharsets.UTF_8).lines().toList()
                        : List.of("(no log)");
                lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()).forEach(l -> out.append(l).append('\n'));
            } catch (IOException | RuntimeException e) {
                out.append("(unreadable: ").append(e).append(")\n");
            }
        }
        if (!out.isEmpty()) System.out.println(out);
    }
}
