package dev.stowage.scanning.vuln;

/**
 * A finding's severity, in the CVSS qualitative bands (v3.x and v4: low 0.1-3.9, medium 4.0-6.9, high 7.0-8.9,
 * critical 9.0-10.0); {@code UNKNOWN} when neither a vector nor the record's own rating says.
 */
public enum Severity {
    UNKNOWN, NONE, LOW, MEDIUM, HIGH, CRITICAL;

    public static Severity ofScore(double score) {
        if (score >= 9.0) return CRITICAL;
        if (score >= 7.0) return HIGH;
        if (score >= 4.0) return MEDIUM;
        if (score > 0.0) return LOW;
        return NONE;
    }
}
