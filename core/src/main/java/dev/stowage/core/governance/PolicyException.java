package dev.stowage.core.governance;

/**
 * A policy, rule or setting that cannot be accepted. The message starts with the path of the offending field in the
 * document as submitted ({@code rules[1].selection.countUnit: required when countType is sinceImagePushed}), so an
 * administrator can find it; the admin API answers it as a 400 with this message.
 */
public final class PolicyException extends IllegalArgumentException {
    private final String field;
    private final String problem;

    public PolicyException(String field, String problem) {
        super(field.isEmpty() ? problem : field + ": " + problem);
        this.field = field;
        this.problem = problem;
    }

    /** The JSON path of the field, e.g. {@code rules[0].params.latestPushedK}; empty for the document itself. */
    public String field() { return field; }

    public String problem() { return problem; }
}
