package dev.stowage.core;

/** A client-visible failure: carries the OCI error code, a human message and optional detail. */
public class RegistryException extends RuntimeException {
    private final ErrorCode code;
    private final transient Object detail;

    public RegistryException(ErrorCode code, String message) {
        this(code, message, null);
    }

    public RegistryException(ErrorCode code, String message, Object detail) {
        super(message == null ? code.defaultMessage() : message, null, false, false);
        this.code = code;
        this.detail = detail;
    }

    public ErrorCode code() { return code; }

    public Object detail() { return detail; }
}
