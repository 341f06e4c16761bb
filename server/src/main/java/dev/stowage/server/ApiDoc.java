package dev.stowage.server;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The OpenAPI description of one admin operation, declared beside its route: the route table will not take a
 * route without one, and {@code /api/v1/openapi.json} is generated from these (path parameters from the route's
 * template, the 401 and 403 answers from its {@link Access}) plus the shared schemas of {@code openapi-base.json}.
 */
public final class ApiDoc {
    /** A query parameter: its JSON schema type, an optional description, and bounds for integers. */
    record QueryParameter(String name, String type, Optional<String> description, Optional<Integer> minimum,
                          Optional<Integer> maximum) {}

    final String operationId;
    final String summary;
    String tag = "admin";
    final List<QueryParameter> query = new ArrayList<>();
    Optional<String> bodySchema = Optional.empty();
    boolean bodyRequired;
    /** Answers other than the standard 400, 401 and 403 (or replacing one of them), by status. */
    final Map<Integer, String> responses = new LinkedHashMap<>();

    private ApiDoc(String operationId, String summary) {
        this.operationId = operationId;
        this.summary = summary;
    }

    /** An operation with its unique id and a summary that says what it does, who may call it and what it answers. */
    public static ApiDoc op(String operationId, String summary) {
        return new ApiDoc(operationId, summary);
    }

    /** The group it is listed under (users, projects, quotas...). */
    public ApiDoc tag(String tag) {
        this.tag = tag;
        return this;
    }

    /** An optional query parameter of JSON schema type {@code type}; {@code description} may be null. */
    public ApiDoc query(String name, String type, String description) {
        query.add(new QueryParameter(name, type, Optional.ofNullable(description), Optional.empty(), Optional.empty()));
        return this;
    }

    /** {@code ?n=&last=}: the page size (1 to 1000, default 100) and where the previous page ended. */
    public ApiDoc pageSize() {
        query.add(new QueryParameter("n", "integer", Optional.of("page size (default 100, at most 1000)"), Optional.of(1),
                Optional.of(1000)));
        return this;
    }

    /** A required JSON body of the named schema of {@code components/schemas}. */
    public ApiDoc body(String schema) {
        bodySchema = Optional.of(schema);
        bodyRequired = true;
        return this;
    }

    /** An optional JSON body of the named schema. */
    public ApiDoc optionalBody(String schema) {
        bodySchema = Optional.of(schema);
        bodyRequired = false;
        return this;
    }

    /** An answer: the success status(es) and any error beyond bad input, authentication and refusal. */
    public ApiDoc response(int status, String description) {
        responses.put(status, description);
        return this;
    }
}
