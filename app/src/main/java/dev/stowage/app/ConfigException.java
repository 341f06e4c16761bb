package dev.stowage.app;

/**
 * An operator's mistake (configuration, files, permissions, the data directory's key): shown as one line,
 * {@code stowage: <what> (<how to fix>)}, with exit code 2 and no stack trace. An {@link IllegalArgumentException}
 * so that code validating a setting may throw either.
 */
final class ConfigException extends IllegalArgumentException {
    static final int EXIT_CODE = 2;

    ConfigException(String what, String howToFix) {
        super(what + " (" + howToFix + ")");
    }

    ConfigException(String whatAndHowToFix) {
        super(whatAndHowToFix);
    }

    ConfigException(String what, String howToFix, Throwable cause) {
        super(what + " (" + howToFix + ")", cause);
    }
}
