package dev.stowage.metadata;

/** The metadata database failed (not a client mistake): answered as a server error. */
public final class MetadataException extends RuntimeException {
    public MetadataException(String message, Throwable cause) {
        super(message + ": " + cause.getMessage(), cause);
    }
}
