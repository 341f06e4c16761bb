package dev.stowage.core.governance;

/** A tag that may not be overwritten or deleted, and the rule that says so in words fit for an error message. */
public record ImmutabilityVerdict(String tag, String rule) {

    /** e.g. {@code tag "v1.0" is immutable by rule 3 (repositories matching "**", tags matching "v*")}. */
    public String message() {
        return "tag \"" + tag + "\" is immutable by " + rule;
    }
}
