package dev.stowage.scanning.advisory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What a conversion read, wrote and left out. Every part of the input that produced no OSV data is accounted for with
 * a reason (the first {@link #MAX_REASONS} kept verbatim, the rest only counted), so an operator can see what was
 * skipped and why.
 */
public final class ConversionReport {
    public static final int MAX_REASONS = 1000;

    private int entriesRead;
    private int recordsWritten;
    private int skipped;
    private final List<String> reasons = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    void entryRead() {
        entriesRead++;
    }

    void recordWritten() {
        recordsWritten++;
    }

    void skip(String reason) {
        skipped++;
        if (reasons.size() < MAX_REASONS) {
            reasons.add(reason);
        }
    }

    /** Something converted as written although it looks wrong (e.g. a fixed version the package manager rejects). */
    void warn(String warning) {
        if (warnings.size() < MAX_REASONS) {
            warnings.add(warning);
        }
    }

    /** The first {@value #MAX_REASONS} warnings, in input order, each naming the source line. */
    public List<String> warnings() {
        return Collections.unmodifiableList(warnings);
    }

    /** Advisory entries (Debian: header lines; Alpine: secfix entries) read from the input. */
    public int entriesRead() {
        return entriesRead;
    }

    /** OSV records produced. */
    public int recordsWritten() {
        return recordsWritten;
    }

    /** Parts of the input skipped, each with a reason. */
    public int skippedCount() {
        return skipped;
    }

    /** The first {@value #MAX_REASONS} reasons, in input order, each naming the source line. */
    public List<String> skippedReasons() {
        return Collections.unmodifiableList(reasons);
    }

    @Override
    public String toString() {
        return entriesRead + " entries read, " + recordsWritten + " OSV records written, " + skipped + " parts skipped";
    }
}
