package dev.stowage.app;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.List;
import java.util.concurrent.Callable;

import static dev.stowage.app.AdminCommand.enc;
import static dev.stowage.app.AdminCommand.object;

/** {@code stowage admin signing}: managed signing of a project's pushes, its keys, rotation, signing one image. */
@Command(name = "signing", description = {
        "show PROJECT                      whether pushes are signed, and the active key's id",
        "enable PROJECT | disable PROJECT  sign every image pushed to the project (cosign and Notation), or stop",
        "keys PROJECT                      public keys and certificate chains (PEM), active and retired (use -o json)",
        "rotate PROJECT                    a new active key; the old one is retired and still verifies",
        "sign REPOSITORY REFERENCE         sign one image or index now (REFERENCE: a tag or digest)"})
final class SigningCommand implements Callable<Integer> {
    @ParentCommand AdminCommand admin;
    @Parameters(index = "0", paramLabel = "VERB", description = "show, enable, disable, keys, rotate or sign") String verb;
    @Parameters(index = "1..*", arity = "0..*", paramLabel = "ARG", description = "the verb's arguments") List<String> args;

    @Override
    public Integer call() throws Exception {
        List<String> a = args == null ? List.of() : args;
        if (verb.equals("sign")) {
            if (a.size() != 2) throw new IllegalArgumentException("sign REPOSITORY REFERENCE, e.g. team/app 1.0");
            return admin.call("POST", "/api/v1/repositories/" + a.get(0) + "/artifacts/" + enc(a.get(1)) + "/sign", null);
        }
        if (a.size() != 1) throw new IllegalArgumentException(verb + " PROJECT");
        String path = "/api/v1/projects/" + enc(a.get(0)) + "/signing";
        return switch (verb) {
            case "show" -> admin.call("GET", path, null);
            case "enable" -> admin.call("PUT", path, object().put("enabled", true));
            case "disable" -> admin.call("PUT", path, object().put("enabled", false));
            case "keys" -> admin.call("GET", path + "/keys", null);
            case "rotate" -> admin.call("POST", path + "/keys/rotate", null);
            default -> throw new IllegalArgumentException("unknown verb: " + verb
                    + " (show, enable, disable, keys, rotate or sign)");
        };
    }
}
