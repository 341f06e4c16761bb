package dev.stowage.core;

/**
 * A client-visible failure: carries the OCI error code, a human message, optional detail, and the HTTP status
 * (the code's own unless the spec asks for another one in that situation, e.g. 405 or 413).
 */
public class RegistryException extends RuntimeException {
    private final ErrorCode code;
    private final transient Object detail;
    private final int httpStatus;

    public RegistryException(ErrorCode code, String message) {
        this(code, message, null, code.httpStatus());
    }

    public RegistryException(ErrorCode code, String message, Object detail) {
        this(code, message, detail, code.httpStatus());
    }

    public RegistryException(ErrorCode code, String message, Object detail, int httpStatus) {
        super(message == null ? code.defaultMessage() : message, null, false, false);
        this.code = code;
        this.detail = detail;
        this.httpStatus = httpStatus;
    }

    public ErrorCode code() { return code; }

    public Object detail() { return detail; }

    public int httpStatus() { return httpStatus; }
}
