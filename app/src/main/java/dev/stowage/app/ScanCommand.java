package dev.stowage.app;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import static dev.stowage.app.AdminCommand.enc;
import static dev.stowage.app.AdminCommand.object;

/** {@code stowage admin scan}: vulnerability reports, SBOMs, scan requests, pull policies and allowlists. */
@Command(name = "scan", description = {
        "run REPOSITORY REFERENCE          queue a scan (REFERENCE: a tag or digest)",
        "report REPOSITORY REFERENCE       the latest report: counts and findings worst first",
        "sbom REPOSITORY REFERENCE [--format cyclonedx|spdx]   the SBOM attached when it was scanned (use -o json)",
        "policy show|set PROJECT [--scan-on-push true|false] [--prevent-severity LOW|MEDIUM|HIGH|CRITICAL|none]",
        "                [--prevent-unscanned true|false]   (set replaces the policy; options left out take the defaults)",
        "allowlist show|set PROJECT|--system [--entry ID[@EXPIRY] ...]   (EXPIRY: an RFC 3339 time; set replaces the list)",
        "database                          the vulnerability data's generation, sources and age",
        "scanners list|show NAME|delete NAME|ping NAME|default NAME   external scanners (Harbor scanner adapters)",
        "scanners add NAME URL [--auth none|basic|bearer|apikey] [--skip-tls-verify] [--description TEXT]",
        "                 (the secret from STOWAGE_SCANNER_SECRET: basic takes user:password)",
        "scanners project PROJECT [NAME|default]   show or choose the project's scanner"})
final class ScanCommand implements Callable<Integer> {
    @ParentCommand AdminCommand admin;
    @Parameters(index = "0", paramLabel = "VERB", description = "run, report, sbom, policy, allowlist or database") String verb;
    @Parameters(index = "1..*", arity = "0..*", paramLabel = "ARG", description = "the verb's arguments") List<String> args;
    @Option(names = "--format", description = "sbom: cyclonedx (default) or spdx") String format;
    @Option(names = "--scan-on-push", paramLabel = "BOOL", description = "policy set: scan every pushed image (default true)") Boolean scanOnPush;
    @Option(names = "--prevent-severity", paramLabel = "SEVERITY", description = "policy set: refuse pulls at or above it (default none)") String preventSeverity;
    @Option(names = "--prevent-unscanned", paramLabel = "BOOL", description = "policy set: refuse pulls of images not scanned yet (default false)") Boolean preventUnscanned;
    @Option(names = "--system", description = "allowlist: the list every project shares") boolean system;
    @Option(names = "--entry", paramLabel = "ID[@EXPIRY]", description = "allowlist set: a vulnerability id, optionally @ an expiry time") List<String> entries;
    @Option(names = "--auth", paramLabel = "TYPE", description = "scanners add: none (default), basic, bearer or apikey; the secret from STOWAGE_SCANNER_SECRET") String auth;
    @Option(names = "--skip-tls-verify", description = "scanners add: accept any certificate (only where the server allows it)") boolean skipTlsVerify;
    @Option(names = "--description", paramLabel = "TEXT", description = "scanners add: what the scanner is") String description;

    @Override
    public Integer call() throws Exception {
        List<String> a = args == null ? List.of() : args;
        return switch (verb) {
            case "run" -> admin.call("POST", artifact(a) + "/scan", null);
            case "report" -> admin.call("GET", artifact(a) + "/vulnerabilities", null);
            case "sbom" -> admin.call("GET", artifact(a) + "/sbom" + (format == null ? "" : "?format=" + enc(format)), null);
            case "policy" -> policy(a);
            case "allowlist" -> allowlist(a);
            case "database" -> admin.call("GET", "/api/v1/vulnerability-database", null);
            case "scanners" -> scanners(a);
            default -> throw new IllegalArgumentException("unknown verb: " + verb
                    + " (run, report, sbom, policy, allowlist, database or scanners)");
        };
    }

    private static String artifact(List<String> a) {
        if (a.size() != 2) throw new IllegalArgumentException(verbUsage("REPOSITORY REFERENCE"));
        return "/api/v1/repositories/" + a.get(0) + "/artifacts/" + enc(a.get(1));
    }

    private static String verbUsage(String what) {
        return "give " + what + ", e.g. team/app 1.0";
    }

    private int policy(List<String> a) throws Exception {
        if (a.size() != 2) throw new IllegalArgumentException("policy show|set PROJECT");
        String path = "/api/v1/projects/" + enc(a.get(1)) + "/scanning";
        return switch (a.get(0)) {
            case "show" -> admin.call("GET", path, null);
            case "set" -> {
                ObjectNode body = object();
                if (scanOnPush != null) body.put("scanOnPush", scanOnPush);
                if (preventUnscanned != null) body.put("preventUnscanned", preventUnscanned);
                if (preventSeverity != null) {
                    if (preventSeverity.equalsIgnoreCase("none")) body.putNull("preventSeverity");
                    else body.put("preventSeverity", preventSeverity.toUpperCase(Locale.ROOT));
                }
                yield admin.call("PUT", path, body);
            }
            default -> throw new IllegalArgumentException("policy show|set PROJECT");
        };
    }

    private static final String SCANNERS_USAGE = "scanners list | show|delete|ping|default NAME | add NAME URL "
            + "[--auth TYPE] | project PROJECT [NAME|default]";

    private int scanners(List<String> a) throws Exception {
        if (a.isEmpty()) throw new IllegalArgumentException(SCANNERS_USAGE);
        String sub = a.get(0);
        if (sub.equals("list")) {
            if (a.size() != 1) throw new IllegalArgumentException(SCANNERS_USAGE);
            return admin.call("GET", "/api/v1/scanners", null);
        }
        if (sub.equals("add")) {
            if (a.size() != 3) throw new IllegalArgumentException("scanners add NAME URL [--auth none|basic|bearer|apikey]"
                    + " (the secret from STOWAGE_SCANNER_SECRET)");
            ObjectNode body = object().put("name", a.get(1)).put("url", a.get(2));
            String type = auth == null ? "none" : auth.toLowerCase(Locale.ROOT);
            body.put("auth", type);
            if (!type.equals("none")) {
                // never an argument: arguments are visible to every user of the machine (ps)
                String secret = admin.environment.apply("STOWAGE_SCANNER_SECRET");
                if (secret == null || secret.isEmpty()) {
                    throw new IllegalArgumentException("--auth " + type + " needs the secret in STOWAGE_SCANNER_SECRET"
                            + (type.equals("basic") ? " (as user:password)" : ""));
                }
                body.put("secret", secret);
            }
            if (skipTlsVerify) body.put("skipTlsVerify", true);
            if (description != null) body.put("description", description);
            return admin.call("POST", "/api/v1/scanners", body);
        }
        if (sub.equals("project")) {
            if (a.size() < 2 || a.size() > 3) throw new IllegalArgumentException("scanners project PROJECT [NAME|default]");
            String path = "/api/v1/projects/" + enc(a.get(1)) + "/scanner";
            if (a.size() == 2) return admin.call("GET", path, null);
            ObjectNode body = object();
            if (a.get(2).equals("default")) body.putNull("name");
            else body.put("name", a.get(2));
            return admin.call("PUT", path, body);
        }
        if (a.size() != 2) throw new IllegalArgumentException(SCANNERS_USAGE);
        String path = "/api/v1/scanners/" + enc(a.get(1));
        return switch (sub) {
            case "show" -> admin.call("GET", path, null);
            case "delete" -> admin.call("DELETE", path, null);
            case "ping" -> admin.call("POST", path + "/ping", null);
            case "default" -> admin.call("PUT", path + "/default", null);
            default -> throw new IllegalArgumentException(SCANNERS_USAGE);
        };
    }

    private int allowlist(List<String> a) throws Exception {
        if (a.isEmpty() || a.size() != (system ? 1 : 2)) {
            throw new IllegalArgumentException("allowlist show|set PROJECT, or allowlist show|set --system");
        }
        String path = system ? "/api/v1/system/cve-allowlist" : "/api/v1/projects/" + enc(a.get(1)) + "/cve-allowlist";
        return switch (a.get(0)) {
            case "show" -> admin.call("GET", path, null);
            case "set" -> {
                ObjectNode body = object();
                ArrayNode items = body.putArray("items");
                for (String entry : entries == null ? List.<String>of() : entries) {
                    int at = entry.indexOf('@');
                    ObjectNode item = items.addObject().put("id", at < 0 ? entry : entry.substring(0, at));
                    if (at >= 0) item.put("expiresAt", entry.substring(at + 1));
                }
                yield admin.call("PUT", path, body);
            }
            default -> throw new IllegalArgumentException("allowlist show|set PROJECT|--system");
        };
    }
}
