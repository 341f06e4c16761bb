package dev.stowage.scanning.inventory;

import java.io.IOException;

/** A file whose content is not what its name says: a package database that does not parse, a truncated archive. */
public final class MalformedContentException extends IOException {
    public MalformedContentException(String message) {
        super(message);
    }

    public MalformedContentException(String message, Throwable cause) {
        super(message, cause);
    }
}
