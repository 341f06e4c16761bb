package dev.stowage.scanner;

/**
 * A scan through an external scanner did not give a report. The message is the adapter's (or the client's account of
 * what it did wrong), never a secret or the registry credential. {@code retryable}: worth queuing again (the adapter
 * could not be reached); an adapter that answered with an error, broke the protocol or ran out of time fails the scan
 * at once.
 */
public final class AdapterScanFailed extends RuntimeException {
    private final boolean retryable;

    public AdapterScanFailed(String message, boolean retryable) {
        super(message);
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
    }
}
