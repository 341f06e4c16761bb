package dev.stowage.app;

/**
 * A mistake the operator can fix (a wrong option, a server that is not running, an untrusted certificate): printed
 * as one line, {@code command: message}, without a stack trace, and ending the command with {@code exitCode}.
 */
final class OperatorError extends RuntimeException {
    final String command;
    final int exitCode;

    /** {@code command} names what failed, e.g. "stowage admin"; null: the command that ran. */
    OperatorError(String command, int exitCode, String message) {
        super(message, null, false, false);
        this.command = command;
        this.exitCode = exitCode;
    }
}
