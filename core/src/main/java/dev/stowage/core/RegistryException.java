package dev.stowage.core;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A client-visible failure: carries the OCI error code, a human message, optional detail, the HTTP status (the
 * code's own unless the spec asks for another one in that situation, e.g. 405 or 413) and any response headers
 * the answer needs (a 401's WWW-Authenticate challenge).
 */
public class RegistryException extends RuntimeException {
    private final ErrorCode code;
    private final transient Object detail;
    private final int httpStatus;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private String refusedActor;
    private String auditNote;

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

    public RegistryException withHeader(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public ErrorCode code() { return code; }

    public Object detail() { return detail; }

    public int httpStatus() { return httpStatus; }

    public Map<String, String> headers() { return headers; }

    /** A refusal of someone the access check did identify: the audit trail names who was refused. */
    public RegistryException refusing(String actor) {
        this.refusedActor = actor;
        return this;
    }

    public java.util.Optional<String> refusedActor() { return java.util.Optional.ofNullable(refusedActor); }

    /** What the audit log records of this refusal beside its code (which policies refused a pull, say). */
    public RegistryException auditNote(String note) {
        this.auditNote = note;
        return this;
    }

    public java.util.Optional<String> auditNote() { return java.util.Optional.ofNullable(auditNote); }
}
