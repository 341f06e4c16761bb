package dev.stowage.scanning.external;

import com.github.packageurl.MalformedPackageURLException;
import com.github.packageurl.PackageURL;
import dev.stowage.scanning.inventory.FoundPackage;
import dev.stowage.scanning.inventory.Inventory;
import dev.stowage.scanning.inventory.OperatingSystem;
import dev.stowage.scanning.inventory.PackageType;
import dev.stowage.scanning.vuln.Finding;
import dev.stowage.scanning.vuln.Severity;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns an adapter's report into Stowage's own {@link Finding}s.
 * <p>
 * The package of each finding is resolved in this order:
 * <ol>
 *   <li>the package of the image's own inventory with the same name and version (and the same purl type when the report
 *       gives a purl): the finding then has Stowage's type, purl, layer and path;</li>
 *   <li>else the report's {@code purl} (the Trivy adapter sends one): its type decides the {@link PackageType};</li>
 *   <li>else the image's operating system (the spec describes {@code package} as an operating system package):
 *       Debian and Ubuntu give {@link PackageType#DEBIAN}, Alpine-like {@link PackageType#ALPINE}, RPM-based
 *       distributions {@link PackageType#RPM};</li>
 *   <li>else {@link PackageType#DEBIAN}, the default: the spec calls the package an OS package and Debian-based images
 *       are the most common. Such a finding's purl is {@code pkg:deb/<name>@<version>}, without a distribution.</li>
 * </ol>
 * The layer is the report's {@code layer.digest} when sent, the path is unknown: both are then empty strings. Go module
 * versions lose the {@code v} adapters keep, as Stowage writes them without.
 * <p>
 * Severity is the adapter's label ({@code Negligible} counts as {@link Severity#LOW}, as Harbor's own ordering puts it
 * below Low and above Unknown); when the label is Unknown or not one of the spec's, the CVSS v3 (else v2) score decides.
 * Aliases are the CVE ids the report's links name besides the id itself. Links and CWE ids have no place in a
 * {@link Finding} and are dropped.
 */
public final class HarborReportMapper {
    private static final Pattern CVE = Pattern.compile("CVE-\\d{4}-\\d{4,}");
    private static final int SUMMARY_LENGTH = 240;

    private HarborReportMapper() {
    }

    public static List<Finding> findings(HarborReport report, Inventory inventory) {
        List<Finding> findings = new ArrayList<>();
        for (HarborReport.Vulnerability vulnerability : report.vulnerabilities()) {
            findings.add(finding(vulnerability, inventory));
        }
        return findings;
    }

    static Finding finding(HarborReport.Vulnerability v, Inventory inventory) {
        FoundPackage pkg = resolvePackage(v, inventory);
        OptionalDouble score = v.scoreV3().isPresent() ? v.scoreV3() : v.scoreV2();
        Optional<String> vector = v.vectorV3().isPresent() ? v.vectorV3() : v.vectorV2();
        return new Finding(v.id(), aliases(v), summary(v.description()), pkg,
                v.fixVersion().map(fix -> stowageVersion(pkg.type(), fix)), severity(v.severity(), score), score, vector);
    }

    /** Versions as Stowage writes them: Go module versions without the {@code v} adapters such as Trivy keep. */
    private static String stowageVersion(PackageType type, String version) {
        return type == PackageType.GO && version.length() > 1 && version.charAt(0) == 'v'
                && Character.isDigit(version.charAt(1)) ? version.substring(1) : version;
    }

    /** The spec's label, else the score's band, else unknown. */
    static Severity severity(String label, OptionalDouble score) {
        Severity named = switch (label == null ? "" : label.trim().toLowerCase(Locale.ROOT)) {
            case "critical" -> Severity.CRITICAL;
            case "high" -> Severity.HIGH;
            case "medium" -> Severity.MEDIUM;
            case "low", "negligible" -> Severity.LOW;
            default -> Severity.UNKNOWN;
        };
        if (named == Severity.UNKNOWN && score.isPresent()) return Severity.ofScore(score.getAsDouble());
        return named;
    }

    private static FoundPackage resolvePackage(HarborReport.Vulnerability v, Inventory inventory) {
        Optional<PackageURL> purl = v.purl().flatMap(HarborReportMapper::parsePurl);
        Optional<PackageType> purlType = purl.flatMap(p -> typeOfPurl(p.getType()));
        List<FoundPackage> same = inventory.packages().stream()
                .filter(p -> p.name().equals(v.packageName()) && p.version().equals(stowageVersion(p.type(), v.version())))
                .filter(p -> purlType.isEmpty() || p.type() == purlType.get())
                .toList();
        if (!same.isEmpty()) {
            return same.stream().filter(p -> v.layerDigest().map(p.layer()::equals).orElse(false)).findFirst()
                    .orElse(same.get(0));
        }
        String layer = v.layerDigest().orElse("");
        if (purlType.isPresent()) {
            return new FoundPackage(purlType.get(), v.packageName(), stowageVersion(purlType.get(), v.version()), null,
                    null, v.purl().get(), layer, "");
        }
        Optional<OperatingSystem> os = inventory.operatingSystem();
        PackageType type = os.flatMap(o -> typeOfOperatingSystem(o.id())).orElse(PackageType.DEBIAN);
        return new FoundPackage(type, v.packageName(), v.version(), null, null,
                purl(type, os.map(OperatingSystem::id).orElse(null), v.packageName(), v.version()), layer, "");
    }

    static Optional<PackageType> typeOfOperatingSystem(String osId) {
        return switch (osId == null ? "" : osId.toLowerCase(Locale.ROOT)) {
            case "debian", "ubuntu", "raspbian", "linuxmint", "kali" -> Optional.of(PackageType.DEBIAN);
            case "alpine", "wolfi", "chainguard", "postmarketos" -> Optional.of(PackageType.ALPINE);
            case "rhel", "centos", "fedora", "rocky", "almalinux", "ol", "amzn", "sles", "opensuse-leap",
                 "opensuse-tumbleweed", "mariner", "azurelinux", "photon" -> Optional.of(PackageType.RPM);
            default -> Optional.empty();
        };
    }

    private static Optional<PackageType> typeOfPurl(String purlType) {
        for (PackageType type : PackageType.values()) {
            if (type.purlType().equalsIgnoreCase(purlType)) return Optional.of(type);
        }
        return Optional.empty();
    }

    private static Optional<PackageURL> parsePurl(String text) {
        try {
            return Optional.of(new PackageURL(text));
        } catch (MalformedPackageURLException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static String purl(PackageType type, String namespace, String name, String version) {
        try {
            return new PackageURL(type.purlType(), namespace, name, version.isEmpty() ? null : version, null, null)
                    .canonicalize();
        } catch (MalformedPackageURLException e) {
            // a name the purl grammar refuses (adapters send free text): keep it recognisable rather than drop the finding
            return "pkg:" + type.purlType() + "/" + name.replaceAll("[^A-Za-z0-9._+-]", "-")
                    + (version.isEmpty() ? "" : "@" + version.replaceAll("[^A-Za-z0-9._+~-]", "-"));
        }
    }

    private static List<String> aliases(HarborReport.Vulnerability v) {
        Set<String> aliases = new LinkedHashSet<>();
        for (String link : v.links()) {
            Matcher matcher = CVE.matcher(link);
            while (matcher.find()) aliases.add(matcher.group());
        }
        aliases.remove(v.id());
        return List.copyOf(aliases);
    }

    private static String summary(String description) {
        String firstLine = description.strip().lines().findFirst().orElse("").strip();
        return firstLine.length() > SUMMARY_LENGTH ? firstLine.substring(0, SUMMARY_LENGTH - 3) + "..." : firstLine;
    }
}
