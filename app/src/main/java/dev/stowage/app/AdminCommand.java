package dev.stowage.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * {@code stowage admin}: the admin API from the command line. Lists print as tables, other answers as fields, or
 * the API's JSON as is with {@code --output json}. Every verb inherits the help options and the footer (connection
 * options, environment, exit codes) from here; the verbs call {@link #call}, which turns network, TLS and HTTP
 * failures into one line and an exit code.
 */
@Command(name = "admin", mixinStandardHelpOptions = true, scope = ScopeType.INHERIT, versionProvider = Main.Version.class,
        usageHelpAutoWidth = true,
        description = {"Manage users, projects, members, robot accounts, access tokens and the audit trail of a running registry.",
                "Credentials: --user and the password from STOWAGE_PASSWORD or, with --password-stdin, standard input."},
        footerHeading = "%n",
        footer = {"Connection and output options go before the verb, e.g.",
                "  stowage admin --url https://registry:5000 --cacert ca.pem -o json users list",
                "  --url, -u/--user, --password-stdin, --cacert, --insecure, --cert, --key,",
                "  -o/--output: see stowage admin --help.",
                "JSON arguments: inline, @FILE (read from FILE) or - (from standard input).",
                "",
                "Environment:",
                "  STOWAGE_URL       the registry URL (default http://localhost:5000)",
                "  STOWAGE_USER      the user or robot (default admin)",
                "  STOWAGE_PASSWORD  its password or access token (or --password-stdin)",
                "  STOWAGE_CACERT    PEM file of CA certificates to trust (as --cacert)"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done", "1:the registry refused the request (its error is printed)",
                "2:usage: a wrong or missing argument, option, file or password",
                "3:cannot connect: server down, wrong URL, or a TLS certificate problem"},
        subcommands = {AdminCommand.Users.class, AdminCommand.Projects.class, AdminCommand.Members.class,
                AdminCommand.Robots.class, AdminCommand.Tokens.class, AdminCommand.Sessions.class, AdminCommand.Audit.class,
                AdminCommand.Gc.class, AdminCommand.Immutable.class, AdminCommand.Retention.class, AdminCommand.Quota.class,
                AdminCommand.Webhooks.class, AdminCommand.Me.class, AdminCommand.Repos.class, AdminCommand.Artifacts.class,
                ResetPasswordCommand.class})
final class AdminCommand {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final int REFUSED = 1;
    static final int CANNOT_CONNECT = 3;

    @Spec CommandSpec spec;

    /** Where STOWAGE_PASSWORD comes from; tests replace it. */
    Function<String, String> environment = System::getenv;

    @Option(names = "--url", defaultValue = "${env:STOWAGE_URL:-http://localhost:5000}", paramLabel = "URL",
            description = "registry URL, http:// or https:// (env STOWAGE_URL; default: ${DEFAULT-VALUE})")
    String url;

    @Option(names = {"-u", "--user"}, defaultValue = "${env:STOWAGE_USER:-admin}", paramLabel = "NAME",
            description = "user or robot (env STOWAGE_USER; default: ${DEFAULT-VALUE})")
    String user;

    @Option(names = "--password-stdin", description = "read the password from the first line of standard input "
            + "(else from STOWAGE_PASSWORD)")
    boolean passwordStdin;

    @Option(names = "--cacert", defaultValue = "${env:STOWAGE_CACERT}", paramLabel = "FILE",
            description = "trust the CA certificates in this PEM file (instead of the system's) for an https URL (env STOWAGE_CACERT)")
    Path cacert;

    @Option(names = "--insecure", description = "do not verify the registry's TLS certificate (testing only: anyone on "
            + "the way can read the password)")
    boolean insecure;

    @Option(names = "--cert", paramLabel = "FILE", description = "client certificate (PEM, with its chain) for registries "
            + "that require mutual TLS; needs --key")
    Path clientCertificate;

    @Option(names = "--key", paramLabel = "FILE", description = "the client certificate's private key (PEM, unencrypted: PKCS#8, PKCS#1 or SEC1)")
    Path clientKey;

    @Option(names = {"-o", "--output"}, defaultValue = "table", paramLabel = "FORMAT",
            description = "table (lists as aligned columns, objects as fields) or json (the API's answer as is); "
                    + "default: ${DEFAULT-VALUE}")
    AnswerPrinter.Format output;

    private String stdinPassword;

    private String password() throws Exception {
        if (passwordStdin) {
            // Read once: a verb that needs the password twice (in the header and in its body) must not read stdin again.
            if (stdinPassword == null) {
                stdinPassword = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            }
            if (stdinPassword == null || stdinPassword.isEmpty()) {
                throw new OperatorError(null, Main.USAGE, "--password-stdin: no password on standard input");
            }
            return stdinPassword;
        }
        String fromEnv = environment.apply("STOWAGE_PASSWORD");
        if (fromEnv == null) throw new OperatorError(null, Main.USAGE, "give the password in STOWAGE_PASSWORD or with --password-stdin");
        return fromEnv;
    }

    private URI base() {
        String trimmed = url.replaceAll("/+$", "");
        if (!trimmed.startsWith("http://") && !trimmed.startsWith("https://")) {
            throw new OperatorError("stowage admin", 2, "--url must start with http:// or https://, got " + url);
        }
        try {
            return new URI(trimmed);
        } catch (java.net.URISyntaxException e) {
            throw new OperatorError("stowage admin", 2, "--url is not a URL: " + url);
        }
    }

    private HttpClient client(URI base) throws Exception {
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30));
        if (base.getScheme().equals("https")) {
            if (insecure) {
                spec.commandLine().getErr().println("stowage admin: warning: --insecure: the registry's certificate is not "
                        + "verified; anyone on the way can read the password");
            }
            builder.sslContext(ClientTls.context(cacert, insecure, clientCertificate, clientKey));
        } else if (clientCertificate != null || clientKey != null) {
            throw new OperatorError("stowage admin", 2, "--cert and --key need an https:// --url, got " + url);
        }
        return builder.build();
    }

    /**
     * Sends one request and prints the answer (table or JSON); 0 for 2xx. An error answer prints the registry's
     * error on one line and gives 1; a network or TLS failure is an {@link OperatorError} with exit code 3.
     */
    int call(String method, String path, ObjectNode body) throws Exception {
        URI base = base();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + password())
                        .getBytes(StandardCharsets.UTF_8)))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        if (body != null) request.header("Content-Type", "application/json");
        HttpResponse<String> response;
        try {
            response = client(base).send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new OperatorError("stowage admin", CANNOT_CONNECT, ConnectionFailures.describe(e, base.toString()));
        }
        if (response.statusCode() / 100 != 2) {
            spec.commandLine().getErr().println("stowage admin: " + AnswerPrinter.error(response.statusCode(), response.body()));
            return REFUSED;
        }
        if (!response.body().isEmpty()) AnswerPrinter.print(JSON.readTree(response.body()), output, spec.commandLine().getOut());
        return 0;
    }

    /** A path segment; a missing one is the operator's mistake (a verb's argument left out), not a bug. */
    static String enc(String s) {
        if (s == null) throw new IllegalArgumentException("a required argument is missing");
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static ObjectNode object() {
        return JSON.createObjectNode();
    }

    @Command(name = "users", description = {"list | create NAME [--admin] (password from STOWAGE_NEW_PASSWORD) | disable NAME | "
            + "enable NAME | delete NAME", "delete removes the user's tokens, sessions, second factor and memberships (audit "
            + "records stay); never your own account nor the last system administrator."})
    static final class Users implements Callable<Integer> {
        @ParentCommand AdminCommand admin;
        @Parameters(index = "0", paramLabel = "VERB", description = "list, create, disable, enable or delete") String verb;
        @Parameters(index = "1", arity = "0..1", paramLabel = "NAME", description = "the user (all verbs but list)") String name;
        @Option(names = "--admin", description = "make a system administrator") boolean systemAdmin;

        @Override
        public Integer call() throws Exception {
            return switch (verb) {
                case "list" -> admin.call("GET", "/api/v1/users", null);
                case "create" -> {
                    String password = System.getenv("STOWAGE_NEW_PASSWORD");
                    if (password == null) throw new IllegalArgumentException("set STOWAGE_NEW_PASSWORD to the new user's password");
                    yield admin.call("POST", "/api/v1/users", object().put("username", name).put("password", password)
                            .put("systemAdmin", systemAdmin));
                }
                case "disable", "enable" -> admin.call("PATCH", "/api/v1/users/" + enc(name), object().put("disabled", verb.equals("disable")));
                case "delete" -> admin.call("DELETE", "/api/v1/users/" + enc(name), null);
                default -> throw new IllegalArgumentException("unknown verb: " + verb);
            };
        }
    }

    @Command(name = "projects", description = {"list | create NAME [--public] | public NAME | private NAME | delete NAME [--force]",
            "delete refuses a project that still has repositories; --force deletes them with it."})
    static final class Projects implements Callable<Integer> {
        @ParentCommand AdminCommand admin;
        @Parameters(index = "0", paramLabel = "VERB", description = "list, create, public, private or delete") String verb;
        @Parameters(index = "1", arity = "0..1", paramLabel = "NAME", description = "the project (all verbs but list)") String name;
        @Option(names = "--public", description = "create: anyone may pull without signing in") boolean isPublic;
        @Option(names = "--force", description = "delete: also delete the project's repositories") boolean force;

        @Override
        public Integer call() throws Exception {
            return switch (verb) {
                case "list" -> admin.call("GET", "/api/v1/projects", null);
                case "create" -> admin.call("POST", "/api/v1/projects", object().put("name", name).put("public", isPublic));
                case "public", "private" -> admin.call("PATCH", "/api/v1/projects/" + enc(name), object().put("public", verb.equals("public")));
                case "delete" -> admin.call("DELETE", "/api/v1/projects/" + enc(name) + (force ? "?force=true" : ""), null);
                default -> throw new IllegalArgumentException("unknown verb: " + verb);
            };
        }
    }

    @Command(name = "repos", description = {"list PROJECT [--n N] [--last NAME] | delete REPOSITORY",
            "list: each repository's artifacts, size, last push and last pull; delete: the repository with all it holds."})
    static final class Repos implements Callable<Integer> {
        @ParentCommand AdminCommand admin;
        @Parameters(index = "0", description = "list or delete") String verb;
        @Parameters(index = "1", description = "a project (list) or a repository such as team/app (delete)") String target;
        @Mixin Page page;

        @Override
        public Integer call() throws Exception {
            return switch (verb) {
                case "list" -> admin.call("GET", "/api/v1/projects/" + enc(target) + "/repositories" + page.query(), null);
                case "delete" -> admin.call("DELETE", "/api/v1/repositories/" + target, null);
                default -> throw new IllegalArgumentException("unknown verb: " + verb);
            };
        }
    }

    @Command(name = "artifacts", description = {"list REPOSITORY [--n N] [--last DIGEST]",
            "Each manifest's digest, tags, media type, size (with its blobs), push time and last pull."})
    static final class Artifacts implements Callable<Integer> {
        @ParentCommand AdminCommand admin;
        @Parameters(index = "0", description = "list") String verb;
        @Parameters(index = "1", description = "a repository such as team/app") String repository;
        @Mixin Page page;

        @Override
        public Integer call() throws Exception {
            if (!verb.equals("list")) throw new IllegalArgumentException("unknown verb: " + verb);
            return admin.call("GET", "/api/v1/repositories/" + repository + "/artifacts" + page.query(), null);
        }
    }

    /** {@code ?n=&last=} for a listing, each only when given. */
    /** One page of a listing, as the API pages them. */
    static final class Page {
        @Option(names = "--n", paramLabel = "N", description = "page size (default 100)") Integer n;
        @Option(names = "--last", paramLabel = "NAME", description = "start after this entry (the previous page's next)") String last;

        String query() {
            StringBuilder q = new StringBuilder();
            if (n != null) q.append("?n=").append(n);
            if (last != null) q.append(q.isEmpty() ? "?" : "&").append("last=").append(enc(last));
            return q.toString();
        }
    }

    @Command(name = "members", description = "list PROJECT | set PROJECT USER ROLE | remove PROJECT USER")
    static final class Members implements Callable<Integer> {
        @ParentCommand AdminCommand admin;
        @Parameters(index = "0", paramLabel = "VERB", description = "list, set or remove") String verb;
        @Parameters(index = "1", paramLabel = "PROJECT", description = "the project") String project;
        @Parameters(index = "2", arity = "0..1", paramLabel = "USER", description = "set, remove: the user or robot") String username;
        @Parameters(index = "3", arity = "0..1", paramLabel = "ROLE", description = "set: guest, developer, maintainer or admin") String role;

        @Override
        public Integer call() throws Exception {
            String base = "/api/v1/projects/" + enc(project) + "/members";
            return switch (verb) {
                case "list" -> admin.call("GET", base, null);
                case "set" -> admin.call("PUT", base + "/" + enc(username), object().put("role", role));
                case "remove" -> admin.call("DELETE", base + "/" + enc(username), null);
                default -> throw new IllegalArgumentException("unknown verb: " + verb);
            };
        }
    }

    @Command(name = "robots", description = {"list | create NAME --allow PATTERN=pull,push ... [--expires 90d] | rotate NAME [--expires 90d] | "
            + "disable NAME | delete NAME", "System robots are named robot$NAME; with --project P, the project's robots "
            + "(robot$P+NAME), which its administrators manage."})
    static final class Robots implements Callable<Integer> {
        @ParentCommand AdminCommand admin;
        @Parameters(index = "0", paramLabel = "VERB", description = "list, create, rotate, disable or delete") String verb;
        @Parameters(index = "1", arity = "0..1", paramLabel = "NAME", description = "the robot (all verbs but list)") String name;
        @Option(names = "--allow", description = "PATTERN=ACTIONS, e.g. team/**=pull,push") List<String> allow;
        @Option(names = "--expires", description = "lifetime, e.g. 90d") String expires;
        @Option(names = "--project", description = "the project whose robots these are") String project;

        @Override
        public Integer call() throws Exception {
            String base = project == null ? "/api/v1/robots" : "/api/v1/projects/" + enc(project) + "/robots";
            return switch (verb) {
                case "list" -> admin.call("GET", base, null);
                case "create" -> {
                    ObjectNode body = object().put("name", name);
                    if (expires != null) body.put("expiresIn", expires);
                    ArrayNode permissions = body.putArray("permissions");
                    for (String a : allow == null ? List.<String>of() : allow) {
                        int eq = a.lastIndexOf('=');
                        if (eq <= 0) throw new IllegalArgumentException("--allow wants PATTERN=ACTIONS: " + a);
                        ObjectNode p = permissions.addObject().put("repository", a.substring(0, eq));
                        ArrayNode actions = p.putArray("actions");
                        for (String action : a.substring(eq + 1).split(",")) actions.add(action);
                    }
                    yield admin.call("POST", base, body);
                }
                case "rotate" -> admin.call("POST", base + "/" + enc(pathName()) + "/rotate",
                        expires == null ? null : object().put("expiresIn", expires));
                case "disable" -> admin.call("PATCH", base + "/" + enc(pathName()), object().put("disabled", true));
                case "delete" -> admin.call("DELETE", base + "/" + enc(pathName()), null);
                default -> throw new IllegalArgumentException("unknown verb: " + verb);
            };
        }

        /** The API names system robots in full (robot$NAME), project robots by NAME; either is accepted here. */
        private String pathName() {
            if (name == null || project != null || name.startsWith("robot$")) return name;
            return "robot$" + name;
        }
    }

    @Command(name = "tokens", description = "list USER | create USER NAME [--expires 30d] | revoke USER ID")
    static final class Tokens implements Callable<Integer> {
        @ParentCommand AdminCommand admin;
        @Parameters(index = "0", paramLabel = "VERB", description = "list, create or revoke") String verb;
        @Parameters(index = "1", paramLabel = "USER", description = "whose tokens") String username;
        @Parameters(index = "2", arity = "0..1", paramLabel = "NAME|ID", description = "create: the token's name; revoke: its id") String nameOrId;
        @Option(names = "--expires", description = "create: lifetime, e.g. 30d") String expires;

        @Override
        public Integer call() throws Exception {
            String base = "/api/v1/users/" + enc(username) + "/tokens";
            return switch (verb) {
                case "list" -> admin.call("GET", base, null);
                case "create" -> {
                    ObjectNode body = object().put("name", nameOrId);
                    if (expires != null) body.put("expiresIn", expires);
                    yield admin.call("POST", base, body);
                }
                case "revoke" -> admin.call("DELETE", base + "/" + enc(nameOrId), null);
                default -> throw new IllegalArgumentException("unknown verb: " + verb);
            };
        }
    }

    @Command(name = "sessions", description = "list USER | revoke USER ID | revoke-all USER (sign out everywhere)")
    static final class Sessions implements Callable<Integer> {
        @ParentCommand AdminCommand admin;
        @Parameters(index = "0", paramLabel = "VERB", description = "list, revoke or revoke-all") String verb;
        @Parameters(index = "1", paramLabel = "USER", description = "whose sessions") String username;
        @Parameters(index = "2", arity = "0..1", paramLabel = "ID", description = "revoke: the session") String id;

        @Override
        public Integer call() throws Exception {
            String base = "/api/v1/users/" + enc(username) + "/sessions";
            return switch (verb) {
                case "list" -> admin.call("GET", base, null);
                case "revoke" -> admin.call("DELETE", base + "/" + enc(id), null);
                case "revoke-all" -> admin.call("DELETE", base, null);
                default -> throw new IllegalArgumentException("unknown verb: " + verb);
            };
        }
    }

    /**
     * A JSON object given on the command line, or read from FILE for {@code @FILE}, or from standard input for
     * {@code -}. (Picocli's own @-file expansion is off, see {@link Main#commandLine()}, so the @ arrives here.)
     */
    static ObjectNode jsonArgument(String text) throws Exception {
        if (text == null) throw new IllegalArgumentException("a required argument is missing");
        String json;
        if (text.equals("-")) {
            json = new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
        } else if (text.startsWith("@")) {
            Path file = Path.of(text.substring(1));
            try {
                json = Files.readString(file);
            } catch (NoSuchFileException e) {
                throw new OperatorError(null, Main.USAGE, "cannot read " + file + ": no such file");
            } catch (IOException e) {
                throw new OperatorError(null, Main.USAGE, "cannot read " + file + ": " + e.getMessage());
            }
        } else {
            json = text;
        }
        com.fasterxml.jackson.databind.JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON (" + e.getOriginalMessage() + "): "
                    + (text.length() > 60 ? text.substring(0, 60) + "…" : text));
        }
        if (node == null || !node.isObject()) throw new IllegalArgumentException("expected a JSON object: " + text);
        return (ObjectNode) node;
    }

    @Command(name = "gc", description = "Garbage-collect now: [--dry-run] [--untagged] [--grace 1h]")
    static final class Gc implements Callable<Integer> {
        @ParentCommand AdminCommand admin;
        @Option(names = "--dry-run", description = "report what would go; delete nothing") boolean dryRun;
        @Option(names = "--untagged", description = "also delete manifests no tag, index or live subject needs") boolean untagged;
        @Option(names = "--grace", description = "leave content pushed more recently than this, e.g. 1h (default: the server's gc.grace)") String grace;

        @Override
        public Integer call() throws Exception {
            ObjectNode body = object().put("dryRun", dryRun).put("untagged", untagged);
            if (grace != null) body.put("grace", grace);
            return admin.call("POST", "/api/v1/gc", body);
        }
    }

    @Command(name = "immutable", description = "list PROJECT | add PROJECT RULE-JSON | remove PROJECT ID | "
            + "mutability REPOSITORY [SETTING-JSON] (ECR's imageTagMutability; without a setting: show it). "
            + "JSON may be @FILE or -.")
    static final class Immutable implements Callable<Integer> {
        @ParentCommand AdminCommand admin;
        @Parameters(index = "0", paramLabel = "VERB", description = "list, add, remove or mutability") String verb;
        @Parameters(index = "1", paramLabel = "PROJECT|REPOSITORY", description = "the project; mutability: the repository") String target;
        @Parameters(index = "2", arity = "0..1", paramLabel = "JSON|ID", description = "add: the rule (JSON, @FILE or -); "
                + "remove: its id; mutability: the setting (JSON, @FILE or -)") String argument;

        @Override
        public Integer call() throws Exception {
            String rules = "/api/v1/projects/" + enc(target) + "/immutable-rules";
            return switch (verb) {
                case "list" -> admin.call("GET", rules, null);
                case "add" -> admin.call("POST", rules, jsonArgument(argument));
                case "remove" -> admin.call("DELETE", rules + "/" + enc(argument), null);
                case "mutability" -> argument == null
                        ? admin.call("GET", "/api/v1/repositories/" + target + "/tag-mutability", null)
                        : admin.call("PUT", "/api/v1/repositories/" + target + "/tag-mutability", jsonArgument(argument));
                default -> throw new IllegalArgumentException("unknown verb: " + verb);
            };
        }
    }

    @Command(name = "retention", description = "show PROJECT | set PROJECT ecr|harbor POLICY-JSON [--schedule CRON] | "
            + "run PROJECT [--dry-run] | remove PROJECT. POLICY-JSON may be @FILE or - (an ECR lifecycle policy as is).")
    static final class Retention implements Callable<Integer> {
        @ParentCommand AdminCommand admin;
        @Parameters(index = "0", paramLabel = "VERB", description = "show, set, run or remove") String verb;
        @Parameters(index = "1", paramLabel = "PROJECT", description = "the project") String project;
        @Parameters(index = "2", arity = "0..1", paramLabel = "FORMAT", description = "set: ecr or harbor") String format;
        @Parameters(index = "3", arity = "0..1", paramLabel = "POLICY", description = "set: the policy (JSON, @FILE or -)") String policy;
        @Option(names = "--schedule", description = "set: when to run it, cron or @daily") String schedule;
        @Option(names = "--dry-run", description = "run: report what would go; delete nothing") boolean dryRun;

        @Override
        public Integer call() throws Exception {
            String base = "/api/v1/projects/" + enc(project) + "/retention";
            return switch (verb) {
                case "show" -> admin.call("GET", base, null);
                case "set" -> {
                    ObjectNode body = object().put("format", format);
                    body.set("policy", jsonArgument(policy));
                    if (schedule != null) body.put("schedule", schedule);
                    yield admin.call("PUT", base, body);
                }
                case "run" -> admin.call("POST", base + "/run", object().put("dryRun", dryRun));
                case "remove" -> admin.call("DELETE", base, null);
                default -> throw new IllegalArgumentException("unknown verb: " + verb);
            };
        }
    }

    @Command(name = "quota", description = {"show PROJECT | set PROJECT [--storage SIZE] [--artifacts N] [--warning PERCENT]",
            "set changes only the limits given; 'none' removes one. SIZE: bytes or e.g. 10GiB, 500MB."})
    static final class Quota implements Callable<Integer> {
        @ParentCommand AdminCommand admin;
        @Parameters(index = "0", paramLabel = "VERB", description = "show or set") String verb;
        @Parameters(index = "1", paramLabel = "PROJECT", description = "the project") String project;
        @Option(names = "--storage", paramLabel = "SIZE", description = "set: storage limit: bytes, a size such as 10GiB or 500MB, or none") String storage;
        @Option(names = "--artifacts", paramLabel = "N", description = "set: artifact limit, or none") String artifacts;
        @Option(names = "--warning", paramLabel = "PERCENT", description = "set: warning threshold in percent (1-100), or none") String warning;

        @Override
        public Integer call() throws Exception {
            String base = "/api/v1/projects/" + enc(project) + "/quota";
            return switch (verb) {
                case "show" -> admin.call("GET", base, null);
                case "set" -> {
                    if (storage == null && artifacts == null && warning == null) {
                        throw new IllegalArgumentException("quota set: give --storage, --artifacts or --warning (or 'none' to remove one)");
                    }
                    ObjectNode body = object();
                    limit(body, "storageBytes", storage);
                    limit(body, "artifacts", artifacts);
                    limit(body, "warningPercent", warning);
                    yield admin.call("PATCH", base, body);
                }
                default -> throw new IllegalArgumentException("unknown verb: " + verb);
            };
        }

        /** A limit as the API takes it: a number, a size text (the server parses units), or null for 'none'. */
        private static void limit(ObjectNode body, String field, String value) {
            if (value == null) return;
            if (value.equalsIgnoreCase("none")) body.putNull(field);
            else if (value.matches("[0-9]{1,18}")) body.put(field, Long.parseLong(value));
            else body.put(field, value);
        }
    }

    @Command(name = "webhooks", description = {"list PROJECT | create PROJECT URL --events push,delete,... | delete PROJECT ID |",
            "deliveries PROJECT ID | ping PROJECT ID | redeliver PROJECT ID DELIVERY |",
            "rotate-secret PROJECT ID (prints the new secret once; deliveries from then on are signed with it)"})
    static final class Webhooks implements Callable<Integer> {
        @ParentCommand AdminCommand admin;
        @Parameters(index = "0", paramLabel = "VERB", description = "list, create, delete, deliveries, ping, redeliver or rotate-secret") String verb;
        @Parameters(index = "1", paramLabel = "PROJECT", description = "the project") String project;
        @Parameters(index = "2", arity = "0..1", paramLabel = "URL|ID", description = "create: the target URL; others: the webhook") String idOrUrl;
        @Parameters(index = "3", arity = "0..1", paramLabel = "DELIVERY", description = "redeliver: the delivery") String delivery;
        @Option(names = "--events", split = ",", description = "create: push, delete, ... (comma-separated)") List<String> events;

        @Override
        public Integer call() throws Exception {
            String base = "/api/v1/projects/" + enc(project) + "/webhooks";
            return switch (verb) {
                case "list" -> admin.call("GET", base, null);
                case "create" -> {
                    ObjectNode body = object().put("targetUrl", idOrUrl);
                    ArrayNode list = body.putArray("events");
                    for (String e : events == null ? List.<String>of() : events) list.add(e);
                    yield admin.call("POST", base, body);
                }
                case "delete" -> admin.call("DELETE", base + "/" + enc(idOrUrl), null);
                case "deliveries" -> admin.call("GET", base + "/" + enc(idOrUrl) + "/deliveries", null);
                case "ping" -> admin.call("POST", base + "/" + enc(idOrUrl) + "/ping", null);
                case "redeliver" -> admin.call("POST", base + "/" + enc(idOrUrl) + "/deliveries/" + enc(delivery) + "/redeliver", null);
                case "rotate-secret" -> admin.call("POST", base + "/" + enc(idOrUrl) + "/rotate-secret", null);
                default -> throw new IllegalArgumentException("unknown verb: " + verb);
            };
        }
    }

    @Command(name = "me", description = {"Your own account (--user): show | tokens | password",
            "show: name, administrator flag, second factor and projects with roles; tokens: your personal access tokens;",
            "password: change your password (the current one as for every command, the new one from STOWAGE_NEW_PASSWORD "
                    + "or the first line of standard input); your other sessions end."})
    static final class Me implements Callable<Integer> {
        @ParentCommand AdminCommand admin;
        @Parameters(index = "0", arity = "0..1", defaultValue = "show", description = "show (default), tokens or password") String verb;

        @Override
        public Integer call() throws Exception {
            return switch (verb) {
                case "show" -> admin.call("GET", "/api/v1/me", null);
                case "tokens" -> admin.call("GET", "/api/v1/me/tokens", null);
                case "password" -> {
                    String current = admin.password();
                    String next = System.getenv("STOWAGE_NEW_PASSWORD");
                    if (next == null && admin.passwordStdin) {
                        throw new IllegalArgumentException("with --password-stdin the current password comes from standard "
                                + "input: give the new one in STOWAGE_NEW_PASSWORD");
                    }
                    if (next == null) next = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
                    if (next == null || next.isEmpty()) {
                        throw new IllegalArgumentException("give the new password in STOWAGE_NEW_PASSWORD or on standard input");
                    }
                    yield admin.call("PUT", "/api/v1/me/password", object().put("currentPassword", current)
                            .put("newPassword", next));
                }
                default -> throw new IllegalArgumentException("unknown verb: " + verb + " (show, tokens or password)");
            };
        }
    }

    @Command(name = "audit", description = "Query the audit trail: [--actor A] [--action push] [--repository R] "
            + "[--since T] [--until T] [--limit N]; T is an ISO-8601 instant (2026-01-31T12:00:00Z) or a duration back "
            + "from now (24h, 7d)")
    static final class Audit implements Callable<Integer> {
        @ParentCommand AdminCommand admin;
        @Option(names = "--actor", description = "only what this user or robot did") String actor;
        @Option(names = "--action", description = "only this action: pull, push, delete, sign-in, token, admin, denied") String action;
        @Option(names = "--repository", description = "only this repository") String repository;
        @Option(names = "--since", description = "from this time: an ISO-8601 instant or a duration back from now (24h, 7d)")
        String since;
        @Option(names = "--until", description = "before this time, in the same forms as --since") String until;
        @Option(names = "--limit", defaultValue = "100", description = "at most this many records (default: ${DEFAULT-VALUE})") int limit;

        @Override
        public Integer call() throws Exception {
            StringBuilder q = new StringBuilder("/api/v1/audit?limit=").append(limit);
            if (actor != null) q.append("&actor=").append(enc(actor));
            if (action != null) q.append("&action=").append(enc(action));
            if (repository != null) q.append("&repository=").append(enc(repository));
            if (since != null) q.append("&since=").append(enc(since));
            if (until != null) q.append("&until=").append(enc(until));
            return admin.call("GET", q.toString(), null);
        }
    }
}
