package dev.stowage.scanner;

import dev.stowage.scanning.vuln.Severity;

import java.util.Optional;

/**
 * A project's scanning policy.
 *
 * @param scanOnPush       scan every image pushed to the project (the default for new projects)
 * @param preventSeverity  refuse pulls of images with a vulnerability of this severity or worse (none: allow all)
 * @param preventUnscanned refuse pulls of images that have no completed scan yet
 */
public record ProjectScanPolicy(boolean scanOnPush, Optional<Severity> preventSeverity, boolean preventUnscanned) {
    public static final ProjectScanPolicy DEFAULT = new ProjectScanPolicy(true, Optional.empty(), false);

    public boolean blocksAnything() {
        return preventSeverity.isPresent() || preventUnscanned;
    }
}
