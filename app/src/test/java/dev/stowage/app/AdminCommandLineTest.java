package dev.stowage.app;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The command line itself, in process, against a small HTTP server that records what the CLI sent and answers what a
 * test tells it to. {@code it/AdminCliTest} drives every verb against the real registry.
 */
class AdminCommandLineTest {
    @TempDir Path dir;
    HttpServer server;
    String url;
    final List<String> received = new ArrayList<>();
    volatile int status = 200;
    volatile String answer = "{}";

    @BeforeEach
    void startServer() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            synchronized (received) {
                received.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " " + body);
            }
            byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        url = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    record Run(int exitCode, String out, String err) {}

    /** Runs {@code stowage args...} as Main does, with STOWAGE_PASSWORD set and {@code stdin} as standard input. */
    static Run stowage(String stdin, String... args) {
        CommandLine commandLine = Main.commandLine();
        ((AdminCommand) commandLine.getSubcommands().get("admin").getCommand()).environment =
                Map.of("STOWAGE_PASSWORD", "secret-password")::get;
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
        InputStream stdinBefore = System.in;
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        try {
            return new Run(commandLine.execute(args), out.toString(), err.toString());
        } finally {
            System.setIn(stdinBefore);
        }
    }

    Run admin(String... args) {
        List<String> all = new ArrayList<>(List.of("admin", "--url", url));
        all.addAll(List.of(args));
        return stowage("", all.toArray(String[]::new));
    }

    static void commandPaths(CommandLine command, List<String> prefix, List<List<String>> paths) {
        paths.add(prefix);
        command.getSubcommands().forEach((name, sub) -> {
            if (sub.getCommandSpec().name().equals(name) && !name.equals("help")) { // aliases once; help has no --help
                List<String> path = new ArrayList<>(prefix);
                path.add(name);
                commandPaths(sub, path, paths);
            }
        });
    }

    @Test
    void everyCommandPrintsItsHelpAndExitsZero() {
        List<List<String>> paths = new ArrayList<>();
        commandPaths(Main.commandLine(), List.of(), paths);
        assertThat(paths).contains(List.of("admin", "users"), List.of("admin", "gc"));
        for (List<String> path : paths) {
            List<String> args = new ArrayList<>(path);
            args.add("--help");
            Run run = stowage("", args.toArray(String[]::new));
            String name = String.join(" ", List.of("stowage", String.join(" ", path))).strip();
            assertThat(run.exitCode()).as(name + " --help: " + run.err()).isZero();
            assertThat(run.out()).as(name + " --help").startsWith("Usage: " + name);
        }
    }

    @Test
    void everyAdminCommandDocumentsTheEnvironmentAndExitCodes() {
        for (String command : List.of("admin", "admin users", "admin gc")) {
            String help = stowage("", (command + " --help").split(" ")).out();
            assertThat(help).as(command).contains("STOWAGE_URL", "STOWAGE_USER", "STOWAGE_PASSWORD", "STOWAGE_CACERT",
                    "--cacert", "--insecure", "--cert", "--key", "--output");
            assertThat(help).as(command).containsPattern("3 +cannot connect");
        }
    }

    @Test
    void everyPositionalParameterAndOptionOfAnAdminVerbIsDescribed() {
        CommandLine admin = Main.commandLine().getSubcommands().get("admin");
        admin.getSubcommands().values().forEach(verb -> {
            verb.getCommandSpec().positionalParameters().forEach(p ->
                    assertThat(p.description()).as(verb.getCommandName() + " " + p.paramLabel()).isNotEmpty());
            verb.getCommandSpec().options().forEach(o ->
                    assertThat(o.description()).as(verb.getCommandName() + " " + o.longestName()).isNotEmpty());
        });
    }

    @Test
    void theVersionIsTheBuildsVersion() {
        Run run = stowage("", "--version");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out().strip()).matches("stowage \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
    }

    @Test
    void aJsonArgumentIsReadFromTheFileNamedAfterAnAt() throws Exception {
        Path rule = Files.writeString(dir.resolve("rule.json"), "{\"tag_selectors\":[]}");
        Run run = admin("immutable", "add", "team", "@" + rule);
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(received).containsExactly("POST /api/v1/projects/team/immutable-rules {\"tag_selectors\":[]}");
    }

    @Test
    void aJsonArgumentIsReadFromStandardInputForADash() {
        Run run = stowage("{\"rules\":[]}", "admin", "--url", url, "retention", "set", "team", "harbor", "-");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(received).containsExactly("PUT /api/v1/projects/team/retention {\"format\":\"harbor\",\"policy\":{\"rules\":[]}}");
    }

    @Test
    void aMissingJsonFileIsOneLineAndAUsageError() {
        Run run = admin("immutable", "add", "team", "@" + dir.resolve("nope.json"));
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("stowage admin immutable: cannot read " + dir.resolve("nope.json")
                + ": no such file\n");
        assertThat(received).isEmpty();
    }

    @Test
    void aMissingConfigurationFileIsOneLine() {
        Run run = stowage("", "gc", "--config", dir.resolve("nope.yaml").toString(), "--dry-run");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("stowage: configuration file " + dir.resolve("nope.yaml")
                + " does not exist (check the --config path)\n");
    }

    @Test
    void aStoppedServerIsOneLineAndExitCodeThree() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Run run = stowage("", "admin", "--url", "http://127.0.0.1:" + port, "users", "list");
        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.err()).isEqualTo("stowage admin: cannot connect to http://127.0.0.1:" + port
                + " (connection refused) — is the server running? set --url or STOWAGE_URL\n");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void aUrlWithoutSchemeIsAUsageError() {
        Run run = stowage("", "admin", "--url", "localhost:5000", "users", "list");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("stowage admin: --url must start with http:// or https://, got localhost:5000\n");
    }

    @Test
    void anHttpErrorPrintsTheRegistrysMessageOnOneLineAndExitsOne() {
        status = 403;
        answer = "{\"errors\":[{\"code\":\"DENIED\",\"message\":\"requested access to the resource is denied\"}]}";
        Run run = admin("users", "list");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("stowage admin: 403 DENIED: requested access to the resource is denied\n");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void anErrorsDetailFollowsItsMessage() {
        status = 400;
        answer = "{\"errors\":[{\"code\":\"UNSUPPORTED\",\"message\":\"invalid policy\",\"detail\":\"rules[0]: no action\"}]}";
        Run run = admin("retention", "set", "team", "ecr", "{\"rules\":[{}]}");
        assertThat(run.err()).isEqualTo("stowage admin: 400 UNSUPPORTED: invalid policy (rules[0]: no action)\n");
    }

    @Test
    void anUnknownVerbIsOneLineAndAUsageError() {
        Run run = admin("users", "frobnicate");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("stowage admin users: unknown verb: frobnicate (see stowage admin users --help)\n");
    }

    @Test
    void anAdminOptionAfterTheVerbSaysWhereItGoes() {
        Run run = stowage("", "admin", "users", "list", "--url", url);
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("stowage admin users: Unknown option: '--url' (see stowage admin users "
                + "--help); --url belongs to stowage admin and goes before the verb: stowage admin --url ... users ...\n");
    }

    @Test
    void aMissingArgumentIsOneLineAndAUsageError() {
        Run run = admin("users", "disable");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("stowage admin users: a required argument is missing (see stowage admin users --help)");
        assertThat(received).isEmpty();
    }

    @Test
    void aMissingPasswordSaysWhereToPutIt() {
        CommandLine commandLine = Main.commandLine();
        ((AdminCommand) commandLine.getSubcommands().get("admin").getCommand()).environment = name -> null;
        StringWriter err = new StringWriter();
        commandLine.setErr(new PrintWriter(err, true));
        assertThat(commandLine.execute("admin", "--url", url, "users", "list")).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("stowage admin users: give the password in STOWAGE_PASSWORD or with --password-stdin\n");
    }

    @Test
    void quotaSetSendsOnlyTheLimitsGivenWithSizesForTheServerToRead() {
        Run run = admin("quota", "set", "team", "--storage", "10GiB", "--artifacts", "none");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(received.getFirst()).startsWith("PATCH /api/v1/projects/team/quota")
                .contains("{\"storageBytes\":\"10GiB\",\"artifacts\":null}").doesNotContain("warningPercent");
    }

    @Test
    void quotaSetWithoutALimitIsAUsageError() {
        Run run = admin("quota", "set", "team");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--storage").contains("none");
    }

    @Test
    void aSystemRobotIsNamedWithOrWithoutItsPrefix() {
        admin("robots", "rotate", "deployer");
        admin("robots", "rotate", "robot$deployer");
        admin("robots", "--project", "team", "rotate", "ci");
        assertThat(received).containsExactly("POST /api/v1/robots/robot%24deployer/rotate ",
                "POST /api/v1/robots/robot%24deployer/rotate ", "POST /api/v1/projects/team/robots/ci/rotate ");
    }

    @Test
    void listsPrintAsATableByDefault() {
        answer = "[{\"username\":\"admin\",\"systemAdmin\":true,\"disabled\":false},"
                + "{\"username\":\"erin-the-long\",\"systemAdmin\":false,\"disabled\":false}]";
        Run run = admin("users", "list");
        assertThat(run.out()).isEqualTo("""
                USERNAME       SYSTEMADMIN  DISABLED
                admin          true         false
                erin-the-long  false        false
                """);
    }

    @Test
    void aListInsideAnObjectPrintsAsATableFollowedByTheOtherFields() {
        answer = "{\"records\":[{\"sequence\":1,\"action\":\"push\"}],\"next\":1}";
        Run run = admin("audit");
        assertThat(run.out()).isEqualTo("""
                SEQUENCE  ACTION
                1         push
                next: 1
                """);
    }

    @Test
    void anObjectPrintsAsFieldsWithNestedNamesDotted() {
        answer = "{\"webhook\":{\"id\":\"w1\",\"events\":[\"push\",\"delete\"]},\"secret\":\"s3\"}";
        Run run = admin("webhooks", "create", "team", "https://example.com/hook", "--events", "push,delete");
        assertThat(run.out()).isEqualTo("""
                webhook.id      w1
                webhook.events  push,delete
                secret          s3
                """);
    }

    @Test
    void outputJsonPrintsTheApiAnswer() {
        answer = "[{\"username\":\"admin\"}]";
        Run run = admin("--output", "json", "users", "list");
        assertThat(run.out()).isEqualTo("[ {\n  \"username\" : \"admin\"\n} ]\n");
    }
}
