package dev.stowage.scanning.inventory;

/**
 * A part of an image the inventory could not read, and why: a corrupt layer, a malformed package database, a file over
 * the size limit, a path that escapes the root. Reported with the scan instead of failing it where the rest was read.
 */
public record SkippedPart(String layer, String path, String reason) {
}
