package dev.stowage.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code stowage admin}: the admin API from the command line. Prints the API's JSON answers. */
@Command(name = "admin", mixinStandardHelpOptions = true,
        description = {"Manage users, projects, members, robot accounts, access tokens and the audit trail of a running registry.",
                "Credentials: --user and the password from STOWAGE_PASSWORD or, with --password-stdin, standard input."},
        subcommands = {AdminCommand.Users.class, AdminCommand.Projects.class, AdminCommand.Members.class,
                AdminCommand.Robots.class, AdminCommand.Tokens.class, AdminCommand.Sessions.class, AdminCommand.Audit.class,
                AdminCommand.Gc.class, AdminCommand.Immutable.class, AdminCommand.Retention.class, AdminCommand.Quota.class,
                AdminCommand.Webhooks.class, AdminCommand.Repos.class, AdminCommand.Artifacts.class})
final class AdminCommand {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--url", defaultValue = "${env:STOWAGE_URL:-http://localhost:5000}", description = "registry URL (default: ${DEFAULT-VALUE})")
    String url;

    @Option(names = {"-u", "--user"}, defaultValue = "${env:STOWAGE_USER:-admin}", description = "user or robot (default: ${DEFAULT-VALUE})")
    String user;

    @Option(names = "--password-stdin", description = "read the password from standard input")
    boolean passwordStdin;

    private String password() throws Exception {
        if (passwordStdin) {
            return new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        }
        String fromEnv = System.getenv("STOWAGE_PASSWORD");
        if (fromEnv == null) throw new IllegalArgumentException("give the password in STOWAGE_PASSWORD or with --password-stdin");
        return fromEnv;
    }

    /** Sends one request; prints the answer; exit code 0 for 2xx, 1 otherwise. */
    int call(String method, String path, ObjectNode body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url.replaceAll("/+$", "") + path))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + password())
                        .getBytes(StandardCharsets.UTF_8)))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        if (body != null) request.header("Content-Type", "application/json");
        HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (!response.body().isEmpty()) {
            Object parsed = JSON.readTree(response.body());
            System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(parsed));
        }
        if (response.statusCode() / 100 != 2) {
            System.err.println("stowage admin: HTTP " + response.statusCode());
            return 1;
        }
        return 0;
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static ObjectNode object() {
        return JSON.createObjectNode();
    }

    @Command(name = "users", description = "list | create NAME [--admin] (password from STOWAGE_NEW_PASSWORD) | disable NAME | enable NAME")
    static final class Users implements Callable<Integer> {
        @ParentCommand AdminCommand admin;
        @Parameters(index = "0", description = "list, create, disable or enable") String verb;
        @Parameters(index = "1", arity = "0..1") String name;
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
                default -> throw new IllegalArgumentException("unknown verb: " + verb);
            };
        }
    }

    @Command(name = "projects", description = {"list | create NAME [--public] | public NAME | private NAME | delete NAME [--force]",
            "delete refuses a project that still has repositories; --force deletes them with it."})
    static final class Projects implements Callable<Integer> {
        @ParentCommand AdminCommand admin;
        @Parameters(index = "0") String verb;
        @Parameters(index = "1", arity = "0..1") String name;
        @Option(names = "--public") boolean isPublic;
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
        @Option(names = "--n", description = "page size (default 100)") Integer n;
        @Option(names = "--last", description = "start after this repository (the previous page's next)") String last;

        @Override
        public Integer call() throws Exception {
            return switch (verb) {
                case "list" -> admin.call("GET", "/api/v1/projects/" + enc(target) + "/repositories" + page(n, last), null);
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
        @Option(names = "--n", description = "page size (default 100)") Integer n;
        @Option(names = "--last", description = "start after this digest (the previous page's next)") String last;

        @Override
        public Integer call() throws Exception {
            if (!verb.equals("list")) throw new IllegalArgumentException("unknown verb: " + verb);
            return admin.call("GET", "/api/v1/repositories/" + repository + "/artifacts" + page(n, last), null);
        }
    }

    /** {@code ?n=&last=} for a listing, each only when given. */
    static String page(Integer n, String last) {
        StringBuilder q = new StringBuilder();
        if (n != null) q.append("?n=").append(n);
        if (last != null) q.append(q.isEmpty() ? "?" : "&").append("last=").append(enc(last));
        return q.toString();
    }

    @Command(name = "members", description = "list PROJECT | set PROJECT USER ROLE | remove PROJECT USER")
    static final class Members implements Callable<Integer> {
        @ParentCommand AdminCommand admin;
        @Parameters(index = "0") String verb;
        @Parameters(index = "1") String project;
        @Parameters(index = "2", arity = "0..1") String username;
        @Parameters(index = "3", arity = "0..1") String role;

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

    @Command(name = "robots", description = {"list | create NAME --allow PATTERN=pull,push ... [--expires 90d] | rotate NAME | "
            + "disable NAME | delete NAME", "System robots are named robot$NAME; with --project P, the project's robots "
            + "(robot$P+NAME), which its administrators manage."})
    static final class Robots implements Callable<Integer> {
        @ParentCommand AdminCommand admin;
        @Parameters(index = "0") String verb;
        @Parameters(index = "1", arity = "0..1") String name;
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
                case "rotate" -> admin.call("POST", base + "/" + enc(name) + "/rotate", null);
                case "disable" -> admin.call("PATCH", base + "/" + enc(name), object().put("disabled", true));
                case "delete" -> admin.call("DELETE", base + "/" + enc(name), null);
                default -> throw new IllegalArgumentException("unknown verb: " + verb);
            };
        }
    }

    @Command(name = "tokens", description = "list USER | create USER NAME [--expires 30d] | revoke USER ID")
    static final class Tokens implements Callable<Integer> {
        @ParentCommand AdminCommand admin;
        @Parameters(index = "0") String verb;
        @Parameters(index = "1") String username;
        @Parameters(index = "2", arity = "0..1") String nameOrId;
        @Option(names = "--expires") String expires;

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
        @Parameters(index = "0") String verb;
        @Parameters(index = "1") String username;
        @Parameters(index = "2", arity = "0..1") String id;

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

    /** A JSON body given on the command line or, with {@code @file}, read from a file. */
    static ObjectNode jsonArgument(String text) throws Exception {
        String json = text.startsWith("@") ? java.nio.file.Files.readString(java.nio.file.Path.of(text.substring(1))) : text;
        com.fasterxml.jackson.databind.JsonNode node = JSON.readTree(json);
        if (node == null || !node.isObject()) throw new IllegalArgumentException("expected a JSON object: " + text);
        return (ObjectNode) node;
    }

    @Command(name = "gc", description = "Garbage-collect now: [--dry-run] [--untagged] [--grace 1h]")
    static final class Gc implements Callable<Integer> {
        @ParentCommand AdminCommand admin;
        @Option(names = "--dry-run") boolean dryRun;
        @Option(names = "--untagged") boolean untagged;
        @Option(names = "--grace") String grace;

        @Override
        public Integer call() throws Exception {
            ObjectNode body = object().put("dryRun", dryRun).put("untagged", untagged);
            if (grace != null) body.put("grace", grace);
            return admin.call("POST", "/api/v1/gc", body);
        }
    }

    @Command(name = "immutable", description = {"list PROJECT | add PROJECT RULE-JSON | remove PROJECT ID |",
            "mutability REPOSITORY [SETTING-JSON] (ECR's imageTagMutability; without a setting: show it).",
            "JSON may be @file."})
    static final class Immutable implements Callable<Integer> {
        @ParentCommand AdminCommand admin;
        @Parameters(index = "0") String verb;
        @Parameters(index = "1") String target;
        @Parameters(index = "2", arity = "0..1") String argument;

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

    @Command(name = "retention", description = {"show PROJECT | set PROJECT ecr|harbor POLICY-JSON [--schedule CRON] |",
            "run PROJECT [--dry-run] | remove PROJECT. POLICY-JSON may be @file (an ECR lifecycle policy as is)."})
    static final class Retention implements Callable<Integer> {
        @ParentCommand AdminCommand admin;
        @Parameters(index = "0") String verb;
        @Parameters(index = "1") String project;
        @Parameters(index = "2", arity = "0..1") String format;
        @Parameters(index = "3", arity = "0..1") String policy;
        @Option(names = "--schedule") String schedule;
        @Option(names = "--dry-run") boolean dryRun;

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
        @Parameters(index = "0") String verb;
        @Parameters(index = "1") String project;
        @Option(names = "--storage", description = "storage limit: bytes, a size such as 10GiB or 500MB, or none") String storage;
        @Option(names = "--artifacts", description = "artifact limit, or none") String artifacts;
        @Option(names = "--warning", description = "warning threshold in percent (1-100), or none") String warning;

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
            "deliveries PROJECT ID | ping PROJECT ID | redeliver PROJECT ID DELIVERY"})
    static final class Webhooks implements Callable<Integer> {
        @ParentCommand AdminCommand admin;
        @Parameters(index = "0") String verb;
        @Parameters(index = "1") String project;
        @Parameters(index = "2", arity = "0..1") String idOrUrl;
        @Parameters(index = "3", arity = "0..1") String delivery;
        @Option(names = "--events", split = ",") List<String> events;

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
                default -> throw new IllegalArgumentException("unknown verb: " + verb);
            };
        }
    }

    @Command(name = "audit", description = "Query the audit trail: [--actor A] [--action push] [--repository R] [--since ISO] [--limit N]")
    static final class Audit implements Callable<Integer> {
        @ParentCommand AdminCommand admin;
        @Option(names = "--actor") String actor;
        @Option(names = "--action") String action;
        @Option(names = "--repository") String repository;
        @Option(names = "--since") String since;
        @Option(names = "--limit", defaultValue = "100") int limit;

        @Override
        public Integer call() throws Exception {
            StringBuilder q = new StringBuilder("/api/v1/audit?limit=").append(limit);
            if (actor != null) q.append("&actor=").append(enc(actor));
            if (action != null) q.append("&action=").append(enc(action));
            if (repository != null) q.append("&repository=").append(enc(repository));
            if (since != null) q.append("&since=").append(enc(since));
            return admin.call("GET", q.toString(), null);
        }
    }
}
