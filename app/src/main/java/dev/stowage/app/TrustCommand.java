package dev.stowage.app;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.List;
import java.util.concurrent.Callable;

import static dev.stowage.app.AdminCommand.enc;
import static dev.stowage.app.AdminCommand.jsonArgument;

/** {@code stowage admin trust}: project trust policies, Sigstore trusted roots, signature verification results. */
@Command(name = "trust", description = {
        "policy show PROJECT                  the project's trust policy",
        "policy set PROJECT POLICY            replace it (JSON, @FILE or -): {\"enforcement\": \"off|audit|enforce\",",
        "                                     \"trustManagedSigning\": false, \"keys\": [{\"name\", \"publicKey\"}],",
        "                                     \"trustStores\": [{\"name\", \"certificates\", \"trustedIdentities\"}],",
        "                                     \"keyless\": [{\"name\", \"issuer\", \"subject\", \"subjectRegExp\"...}]}",
        "roots list                           installed Sigstore trusted roots",
        "roots install NAME TRUSTED-ROOT      install or replace one (trusted_root.json: @FILE or -)",
        "roots remove NAME                    remove one",
        "status REPOSITORY REFERENCE          the artifact's verification status (REFERENCE: a tag or digest)",
        "verify REPOSITORY REFERENCE          verify it again now"})
final class TrustCommand implements Callable<Integer> {
    private static final String USAGE = "policy show|set PROJECT [POLICY] | roots list|install|remove [NAME] [FILE] | "
            + "status|verify REPOSITORY REFERENCE";

    @ParentCommand AdminCommand admin;
    @Parameters(index = "0", paramLabel = "VERB", description = "policy, roots, status or verify") String verb;
    @Parameters(index = "1..*", arity = "0..*", paramLabel = "ARG", description = "the verb's arguments") List<String> args;

    @Override
    public Integer call() throws Exception {
        List<String> a = args == null ? List.of() : args;
        return switch (verb) {
            case "policy" -> policy(a);
            case "roots" -> roots(a);
            case "status" -> admin.call("GET", artifact(a) + "/signatures", null);
            case "verify" -> admin.call("POST", artifact(a) + "/signatures/verify", null);
            default -> throw new IllegalArgumentException("unknown verb: " + verb + " (" + USAGE + ")");
        };
    }

    private static String artifact(List<String> a) {
        if (a.size() != 2) throw new IllegalArgumentException("give REPOSITORY REFERENCE, e.g. team/app 1.0");
        return "/api/v1/repositories/" + a.get(0) + "/artifacts/" + enc(a.get(1));
    }

    private int policy(List<String> a) throws Exception {
        if (a.size() < 2) throw new IllegalArgumentException("policy show|set PROJECT [POLICY]");
        String path = "/api/v1/projects/" + enc(a.get(1)) + "/trust";
        return switch (a.get(0)) {
            case "show" -> admin.call("GET", path, null);
            case "set" -> {
                if (a.size() != 3) throw new IllegalArgumentException("policy set PROJECT POLICY (JSON, @FILE or -)");
                yield admin.call("PUT", path, jsonArgument(a.get(2)));
            }
            default -> throw new IllegalArgumentException("policy show|set PROJECT [POLICY]");
        };
    }

    private int roots(List<String> a) throws Exception {
        if (a.isEmpty()) throw new IllegalArgumentException("roots list | install NAME FILE | remove NAME");
        String base = "/api/v1/system/sigstore-roots";
        return switch (a.get(0)) {
            case "list" -> admin.call("GET", base, null);
            case "install" -> {
                if (a.size() != 3) throw new IllegalArgumentException("roots install NAME TRUSTED-ROOT (@FILE or -)");
                yield admin.call("PUT", base + "/" + enc(a.get(1)), jsonArgument(a.get(2)));
            }
            case "remove" -> {
                if (a.size() != 2) throw new IllegalArgumentException("roots remove NAME");
                yield admin.call("DELETE", base + "/" + enc(a.get(1)), null);
            }
            default -> throw new IllegalArgumentException("roots list | install NAME FILE | remove NAME");
        };
    }
}
