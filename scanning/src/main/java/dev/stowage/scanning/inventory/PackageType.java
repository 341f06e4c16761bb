package dev.stowage.scanning.inventory;

/**
 * The package manager a package was found through. Decides its version ordering and, with the image's operating
 * system for OS packages, the OSV ecosystem its advisories are published under.
 */
public enum PackageType {
    DEBIAN("deb"), ALPINE("apk"), RPM("rpm"),
    GO("golang"), MAVEN("maven"), NPM("npm"), PYPI("pypi"), CARGO("cargo"), RUBYGEMS("gem"), NUGET("nuget"),
    PHP_COMPOSER("composer");

    private final String purlType;

    PackageType(String purlType) {
        this.purlType = purlType;
    }

    /** The package URL type (purl-spec), e.g. {@code deb}, {@code golang}. */
    public String purlType() {
        return purlType;
    }

    public boolean operatingSystemPackage() {
        return this == DEBIAN || this == ALPINE || this == RPM;
    }
}
