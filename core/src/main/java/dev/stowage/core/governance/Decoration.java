package dev.stowage.core.governance;

/** Whether a selector takes what its pattern names ({@code matches}) or everything else ({@code excludes}). */
public enum Decoration {
    MATCHES("matching"),
    EXCLUDES("excluding");

    private final String word;

    Decoration(String word) { this.word = word; }

    /** {@code matching} or {@code excluding}, as used in rule descriptions. */
    public String word() { return word; }
}
