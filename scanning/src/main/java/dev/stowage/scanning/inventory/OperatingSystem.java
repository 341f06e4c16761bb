package dev.stowage.scanning.inventory;

/**
 * The distribution an image is built on, from its {@code /etc/os-release} (or {@code /usr/lib/os-release}).
 *
 * @param id         {@code ID}, e.g. {@code debian}, {@code alpine}, {@code rocky}
 * @param versionId  {@code VERSION_ID}, e.g. {@code 12}, {@code 3.19.1}, {@code 9.3}; empty for rolling releases
 * @param prettyName {@code PRETTY_NAME}, for people
 */
public record OperatingSystem(String id, String versionId, String prettyName) {
}
