package dev.stowage.scanning.external;

import java.util.OptionalInt;

/**
 * A scanner adapter did not deliver. The message names the adapter and what went wrong, and never carries a secret or
 * the registry credential.
 */
public final class ScannerAdapterException extends Exception {
    public enum Reason {
        /** Connection refused or reset, TLS failure, no answer within the request timeout. */
        UNREACHABLE,
        /** The adapter answered with the spec's error (400, 422, 500 with an ErrorResponse). */
        ADAPTER_ERROR,
        /** 401/403: the registration's authentication was refused. */
        UNAUTHORIZED,
        /** 404 for a report: the adapter does not know the scan request id. */
        UNKNOWN_SCAN,
        /** An answer the spec does not allow: wrong status, wrong or missing MIME type, unparseable or incomplete JSON. */
        PROTOCOL_VIOLATION,
        /** A response body over the client's size bound. */
        RESPONSE_TOO_LARGE,
        /** The report was not ready before the deadline. */
        TIMED_OUT
    }

    private final Reason reason;
    private final int status;

    ScannerAdapterException(Reason reason, int status, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.status = status;
    }

    ScannerAdapterException(Reason reason, int status, String message) {
        this(reason, status, message, null);
    }

    public Reason reason() {
        return reason;
    }

    /** The adapter's HTTP status, when it answered. */
    public OptionalInt status() {
        return status > 0 ? OptionalInt.of(status) : OptionalInt.empty();
    }
}
