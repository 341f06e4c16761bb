package dev.stowage.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * {@code stowage verify REFERENCE}: asks the registry for an image's signature verification status (computed with its
 * project's trust policy) and prints each signature and the verdict; exit 0 when verified, 1 when not.
 */
@Command(name = "verify", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, usageHelpAutoWidth = true,
        description = {"Show whether an image has a signature verified by its project's trust policy, and each signature found.",
                "REFERENCE: [REGISTRY/]REPOSITORY:TAG or [REGISTRY/]REPOSITORY@DIGEST; the registry is reached at "
                        + "https://REGISTRY (http:// with --plain-http), or at --url / STOWAGE_URL when REFERENCE names none.",
                "Credentials as stowage admin: --user and the password from STOWAGE_PASSWORD or --password-stdin "
                        + "(none: anonymous, for public projects)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:verified", "1:not verified (unsigned, or no signature the policy trusts), or the registry refused",
                "2:usage: a wrong or missing argument, option or file", "3:cannot connect"})
final class VerifyCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec CommandSpec spec;
    Function<String, String> environment = System::getenv;

    @Parameters(index = "0", paramLabel = "REFERENCE", description = "the image, e.g. registry.example:5000/team/app:1.0")
    String reference;

    @Option(names = "--url", paramLabel = "URL", description = "the registry's URL when REFERENCE names no registry "
            + "(env STOWAGE_URL; default http://localhost:5000)")
    String url;

    @Option(names = "--plain-http", description = "reach REFERENCE's registry over http:// instead of https://")
    boolean plainHttp;

    @Option(names = {"-u", "--user"}, defaultValue = "${env:STOWAGE_USER}", paramLabel = "NAME",
            description = "user or robot (env STOWAGE_USER); the password from STOWAGE_PASSWORD or --password-stdin")
    String user;

    @Option(names = "--password-stdin", description = "read the password from the first line of standard input")
    boolean passwordStdin;

    @Option(names = "--cacert", defaultValue = "${env:STOWAGE_CACERT}", paramLabel = "FILE",
            description = "trust the CA certificates in this PEM file for an https registry (env STOWAGE_CACERT)")
    Path cacert;

    @Option(names = "--insecure", description = "do not verify the registry's TLS certificate (testing only)")
    boolean insecure;

    @Option(names = "--cert", paramLabel = "FILE", description = "client certificate (PEM) for mutual TLS; needs --key")
    Path clientCertificate;

    @Option(names = "--key", paramLabel = "FILE", description = "the client certificate's private key (PEM)")
    Path clientKey;

    @Option(names = {"-o", "--output"}, defaultValue = "table", paramLabel = "FORMAT",
            description = "table (one line per signature) or json (the API's answer as is)")
    AnswerPrinter.Format output;

    /** REFERENCE split: where the registry is, the repository, and the tag or digest. */
    record Target(String base, String repository, String reference) {}

    Target target() {
        String rest = reference;
        String base = null;
        int slash = rest.indexOf('/');
        if (slash > 0) {
            String first = rest.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                base = (plainHttp ? "http://" : "https://") + first;
                rest = rest.substring(slash + 1);
            }
        }
        if (base == null) {
            String configured = url != null ? url : environment.apply("STOWAGE_URL");
            base = configured == null ? "http://localhost:5000" : configured.replaceAll("/+$", "");
        }
        String repository;
        String ref;
        int at = rest.indexOf('@');
        if (at >= 0) {
            repository = rest.substring(0, at);
            ref = rest.substring(at + 1);
        } else {
            int colon = rest.lastIndexOf(':');
            if (colon <= rest.lastIndexOf('/')) {
                throw new OperatorError("stowage verify", Main.USAGE, "REFERENCE needs a tag or a digest: "
                        + "REPOSITORY:TAG or REPOSITORY@sha256:..., got " + reference);
            }
            repository = rest.substring(0, colon);
            ref = rest.substring(colon + 1);
        }
        if (repository.isEmpty() || ref.isEmpty()) {
            throw new OperatorError("stowage verify", Main.USAGE, "REFERENCE is REPOSITORY:TAG or REPOSITORY@DIGEST, got "
                    + reference);
        }
        return new Target(base, repository, ref);
    }

    @Override
    public Integer call() throws Exception {
        Target target = target();
        URI uri;
        try {
            uri = URI.create(target.base() + "/api/v1/repositories/" + target.repository() + "/artifacts/"
                    + URLEncoder.encode(target.reference(), StandardCharsets.UTF_8) + "/signatures");
        } catch (IllegalArgumentException e) {
            throw new OperatorError("stowage verify", Main.USAGE, "not a reference: " + reference);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).GET();
        String password = password();
        if (user != null && password != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                    .getBytes(StandardCharsets.UTF_8)));
        }
        HttpClient.Builder client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30));
        if (uri.getScheme().equals("https")) {
            client.sslContext(ClientTls.context(cacert, insecure, clientCertificate, clientKey));
        }
        HttpResponse<String> response;
        try {
            response = client.build().send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new OperatorError("stowage verify", AdminCommand.CANNOT_CONNECT, ConnectionFailures.describe(e, target.base()));
        }
        PrintWriter out = spec.commandLine().getOut();
        if (response.statusCode() / 100 != 2) {
            spec.commandLine().getErr().println("stowage verify: " + AnswerPrinter.error(response.statusCode(), response.body()));
            return AdminCommand.REFUSED;
        }
        JsonNode answer = JSON.readTree(response.body());
        boolean verified = answer.path("status").asText().equals("verified");
        if (output == AnswerPrinter.Format.json) {
            AnswerPrinter.print(answer, output, out);
        } else {
            out.println(target.repository() + "@" + answer.path("digest").asText() + ": " + answer.path("status").asText()
                    + " (trust policy of project " + target.repository().split("/")[0] + ", enforcement "
                    + answer.path("enforcement").asText() + ")");
            for (JsonNode c : answer.path("signatures")) {
                JsonNode signer = c.path("signer");
                String who = signer.has("identity") ? signer.path("identity").asText()
                        : signer.has("certificateSubject") ? signer.path("certificateSubject").asText()
                        : signer.has("keyId") ? "key " + signer.path("keyId").asText() : "unknown signer";
                out.println("  " + c.path("kind").asText() + "  " + (c.path("verified").asBoolean() ? "verified" : "NOT verified")
                        + "  " + who + (c.has("trustedBy") ? " (trusted by " + c.path("trustedBy").asText() + ")" : "")
                        + "  " + c.path("reason").asText() + "  [" + c.path("artifact").asText() + "]");
            }
            if (answer.path("signatures").isEmpty()) out.println("  no signatures");
        }
        out.flush();
        return verified ? 0 : AdminCommand.REFUSED;
    }

    private String password() throws IOException {
        if (passwordStdin) {
            String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            if (line == null || line.isEmpty()) throw new OperatorError(null, Main.USAGE, "--password-stdin: no password on standard input");
            return line;
        }
        return environment.apply("STOWAGE_PASSWORD");
    }
}
