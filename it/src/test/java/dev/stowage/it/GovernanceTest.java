package dev.stowage.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowage.it.support.Clients;
import dev.stowage.it.support.Registry;
import dev.stowage.it.support.StowageProcess;
import dev.stowage.it.support.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static dev.stowage.it.support.Clients.cmd;
import static dev.stowage.it.support.Clients.run;
import static org.assertj.core.api.Assertions.assertThat;

/** Immutable tags and online garbage collection, driven through the admin API with skopeo as the client. */
class GovernanceTest {
    static final String PASSWORD = "it-admin-password";
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir static Path dir;
    static StowageProcess stowage;

    @BeforeAll
    static void start() throws Exception {
        StowageProcess.requireStowage("governance");
        Clients.require("skopeo", "skopeo");
        // The webhook receivers below listen on 127.0.0.1, which webhooks may reach only when the administrator allows it.
        // no scan workers: scanning would attach SBOM referrers, which count against the quotas under test
        stowage = StowageProcess.start(dir.resolve("data"), Map.of("STOWAGE_SCANNING_WORKERS", "0", "STOWAGE_AUTH_ENABLED", "true",
                "STOWAGE_ADMIN_PASSWORD", PASSWORD, "STOWAGE_WEBHOOKS_ALLOWED_NETWORKS", "127.0.0.1/32"));
        for (String project : new String[] {"rel", "ecr"}) {
            assertThat(admin("POST", "/api/v1/projects", "{\"name\":\"" + project + "\"}").statusCode()).isEqualTo(201);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (stowage != null) stowage.close();
    }

    static java.net.http.HttpResponse<String> admin(String method, String path, String body) throws Exception {
        return Registry.call(stowage, method, path, "admin", PASSWORD, body);
    }

    static Clients.Result copy(Path layout, String tag, String destination) throws Exception {
        return run(cmd("skopeo", "copy", "--dest-tls-verify=false", "--dest-creds", "admin:" + PASSWORD,
                "oci:" + layout + ":" + tag, "docker://" + stowage.hostPort() + "/" + destination));
    }

    static Clients.Result delete(String reference) throws Exception {
        return run(cmd("skopeo", "delete", "--tls-verify=false", "--creds", "admin:" + PASSWORD,
                "docker://" + stowage.hostPort() + "/" + reference));
    }

    @Test
    void aHarborStyleRuleStopsMovingAndDeletingMatchingTagsAndNamesItself() throws Exception {
        var created = admin("POST", "/api/v1/projects/rel/immutable-rules", "{\"scope_selectors\":{\"repository\":["
                + "{\"kind\":\"doublestar\",\"decoration\":\"repoMatches\",\"pattern\":\"**\"}]},\"tag_selectors\":["
                + "{\"kind\":\"doublestar\",\"decoration\":\"matches\",\"pattern\":\"v*\"}]}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        long id = JSON.readTree(created.body()).path("id").asLong();

        Path layout = dir.resolve("rel");
        TestImages.writeImage(layout, "one", "amd64", "release one");
        TestImages.writeImage(layout, "two", "amd64", "release two");
        copy(layout, "one", "rel/app:v1").ok();
        copy(layout, "one", "rel/app:v1").ok(); // the same manifest again is fine
        copy(layout, "two", "rel/app:latest").ok();
        copy(layout, "one", "rel/app:latest").ok(); // mutable tag moves

        Clients.Result moved = copy(layout, "two", "rel/app:v1");
        assertThat(moved.exitCode()).isNotZero();
        assertThat(moved.output()).contains("denied").contains("v1").contains("is immutable by rule " + id);
        Clients.Result deleted = delete("rel/app:v1");
        assertThat(deleted.exitCode()).isNotZero();
        assertThat(deleted.output()).contains("immutable");
        String before = run(cmd("skopeo", "inspect", "--tls-verify=false", "--creds", "admin:" + PASSWORD, "--format",
                "{{.Digest}}", "docker://" + stowage.hostPort() + "/rel/app:v1")).ok().output();
        String one = run(cmd("skopeo", "inspect", "--format", "{{.Digest}}", "oci:" + layout + ":one")).ok().output();
        assertThat(last(before)).as("v1 still names the first image").isEqualTo(last(one));

        assertThat(admin("DELETE", "/api/v1/projects/rel/immutable-rules/" + id, null).statusCode()).isEqualTo(204);
        copy(layout, "two", "rel/app:v1").ok(); // this node forgot the deleted rule at once
    }

    static String last(String output) {
        return output.lines().reduce((a, b) -> b).orElse("").trim();
    }

    @Test
    void badRulesAreRefusedNamingTheField() throws Exception {
        var bad = admin("POST", "/api/v1/projects/rel/immutable-rules", "{\"scope_selectors\":{\"repository\":["
                + "{\"kind\":\"doublestar\",\"decoration\":\"repoMatches\",\"pattern\":\"**\"}]},\"tag_selectors\":[{\"kind\":\"doublestar\","
                + "\"decoration\":\"sometimes\",\"pattern\":\"v*\"}]}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(bad.body()).path("errors").get(0).path("message").asText()).contains("tag_selectors[0]");
        var mutability = admin("PUT", "/api/v1/repositories/ecr/app/tag-mutability", "{\"imageTagMutability\":\"SOMETIMES\"}");
        assertThat(mutability.statusCode()).isEqualTo(400);
        assertThat(mutability.body()).contains("imageTagMutability");
    }

    @Test
    void anEcrStyleImmutableRepositoryWithExclusionsKeepsItsTagsButLatestMoves() throws Exception {
        var set = admin("PUT", "/api/v1/repositories/ecr/app/tag-mutability", "{\"imageTagMutability\":"
                + "\"IMMUTABLE_WITH_EXCLUSION\",\"imageTagMutabilityExclusionFilters\":[{\"filterType\":\"WILDCARD\","
                + "\"filter\":\"latest\"}]}");
        assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
        JsonNode shown = JSON.readTree(admin("GET", "/api/v1/repositories/ecr/app/tag-mutability", null).body());
        assertThat(shown.path("imageTagMutability").asText()).isEqualTo("IMMUTABLE_WITH_EXCLUSION");

        Path layout = dir.resolve("ecr");
        TestImages.writeImage(layout, "one", "amd64", "ecr one");
        TestImages.writeImage(layout, "two", "amd64", "ecr two");
        copy(layout, "one", "ecr/app:1.0").ok();
        copy(layout, "one", "ecr/app:latest").ok();
        copy(layout, "two", "ecr/app:latest").ok();
        Clients.Result moved = copy(layout, "two", "ecr/app:1.0");
        assertThat(moved.exitCode()).isNotZero();
        assertThat(moved.output()).contains("1.0").contains("immutable");
        // Other repositories of the project are not affected.
        copy(layout, "one", "ecr/other:1.0").ok();
        copy(layout, "two", "ecr/other:1.0").ok();
    }

    @Test
    void garbageCollectionThroughTheApiFreesWhatADeletedImageLeftAndKeepsTheRest() throws Exception {
        Path layout = dir.resolve("gc");
        TestImages.writeImage(layout, "keep", "amd64", "gc keep");
        TestImages.writeImage(layout, "drop", "amd64", "gc drop");
        copy(layout, "keep", "rel/gc:keep").ok();
        copy(layout, "drop", "rel/gc:drop").ok();
        delete("rel/gc:drop").ok();
        JsonNode dry = JSON.readTree(admin("POST", "/api/v1/gc", "{\"dryRun\":true,\"grace\":\"0s\"}").body());
        assertThat(dry.path("dryRun").asBoolean()).isTrue();
        assertThat(dry.path("blobsDeleted").asInt()).isGreaterThan(0);
        var real = admin("POST", "/api/v1/gc", "{\"grace\":\"0s\"}");
        assertThat(real.statusCode()).as(real.body()).isEqualTo(200);
        assertThat(JSON.readTree(real.body()).path("blobsDeleted").asInt()).isEqualTo(dry.path("blobsDeleted").asInt());
        run(cmd("skopeo", "copy", "--src-tls-verify=false", "--src-creds", "admin:" + PASSWORD,
                "docker://" + stowage.hostPort() + "/rel/gc:keep", "oci:" + dir.resolve("pulled") + ":keep")).ok();
        assertThat(admin("POST", "/api/v1/gc", "{\"grace\":\"soon\"}").statusCode()).isEqualTo(400);
    }

    @Test
    void anEcrLifecyclePolicyGivenVerbatimExpiresOldBuildsDryRunFirst() throws Exception {
        assertThat(admin("POST", "/api/v1/projects", "{\"name\":\"life\"}").statusCode()).isEqualTo(201);
        Path layout = dir.resolve("life");
        for (int i = 1; i <= 4; i++) {
            TestImages.writeImage(layout, "b" + i, "amd64", "build " + i);
            copy(layout, "b" + i, "life/app:build-" + i).ok();
        }
        String policy = "{\"rules\":[{\"rulePriority\":1,\"description\":\"keep two builds\",\"selection\":{"
                + "\"tagStatus\":\"tagged\",\"tagPrefixList\":[\"build-\"],\"countType\":\"imageCountMoreThan\","
                + "\"countNumber\":2},\"action\":{\"type\":\"expire\"}}]}";
        var invalid = admin("PUT", "/api/v1/projects/life/retention", "{\"format\":\"ecr\",\"policy\":"
                + policy.replace("\"countNumber\":2", "\"countNumber\":0") + "}");
        assertThat(invalid.statusCode()).isEqualTo(400);
        assertThat(invalid.body()).contains("rules[0].selection.countNumber");
        var set = admin("PUT", "/api/v1/projects/life/retention", "{\"format\":\"ecr\",\"policy\":" + policy
                + ",\"schedule\":\"0 3 * * *\"}");
        assertThat(set.statusCode()).as(set.body()).isEqualTo(200);

        JsonNode dry = JSON.readTree(admin("POST", "/api/v1/projects/life/retention/run", "{\"dryRun\":true}").body());
        assertThat(dry.path("removed").findValuesAsText("decidedBy")).hasSize(2).allMatch(d -> d.contains("priority 1"));
        assertThat(tags("life/app")).containsExactlyInAnyOrder("build-1", "build-2", "build-3", "build-4");
        JsonNode real = JSON.readTree(admin("POST", "/api/v1/projects/life/retention/run", null).body());
        assertThat(real.path("removed").size()).isEqualTo(2);
        assertThat(tags("life/app")).containsExactlyInAnyOrder("build-3", "build-4");
    }

    static java.util.List<String> tags(String repository) throws Exception {
        String out = run(cmd("skopeo", "list-tags", "--tls-verify=false", "--creds", "admin:" + PASSWORD,
                "docker://" + stowage.hostPort() + "/" + repository)).ok().output();
        JsonNode tags = JSON.readTree(out.substring(out.indexOf('{'))).path("Tags");
        java.util.List<String> list = new java.util.ArrayList<>();
        tags.forEach(t -> list.add(t.asText()));
        return list;
    }

    @Test
    void quotasRefusePushesThatWouldExceedThemAndShowUsage() throws Exception {
        assertThat(admin("POST", "/api/v1/projects", "{\"name\":\"small\"}").statusCode()).isEqualTo(201);
        Path layout = dir.resolve("small");
        TestImages.writeImage(layout, "a", "amd64", "quota a");
        TestImages.writeImage(layout, "b", "amd64", "quota b");
        var set = admin("PUT", "/api/v1/projects/small/quota", "{\"artifacts\":1,\"warningPercent\":80}");
        assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
        copy(layout, "a", "small/app:a").ok();
        Clients.Result second = copy(layout, "b", "small/app:b");
        assertThat(second.exitCode()).isNotZero();
        assertThat(second.output()).contains("quota of project small exceeded");
        copy(layout, "a", "small/app:again").ok(); // the same manifest under another tag adds no artifact

        JsonNode quota = JSON.readTree(admin("GET", "/api/v1/projects/small/quota", null).body());
        assertThat(quota.path("usage").path("artifacts").asLong()).isEqualTo(1);
        long used = quota.path("usage").path("storageBytes").asLong();
        assertThat(used).isPositive();

        // Storage: room for what is there and not one more layer.
        assertThat(admin("PUT", "/api/v1/projects/small/quota", "{\"storageBytes\":" + used + "}").statusCode()).isEqualTo(200);
        TestImages.writeImage(layout, "c", "amd64", "quota c, never seen by the project");
        Clients.Result bigger = copy(layout, "c", "small/other:c");
        assertThat(bigger.exitCode()).isNotZero();
        assertThat(bigger.output()).contains("quota of project small exceeded").contains("storage");
        copy(layout, "a", "small/copy:a").ok(); // blobs the project holds already count once
        assertThat(admin("PUT", "/api/v1/projects/small/quota", "{\"storageBytes\":-1}").statusCode()).isEqualTo(400);
    }

    @Test
    void aPushIsDeliveredAsASignedCloudEventToAReceiverThatFailsFirstThenRecovers() throws Exception {
        assertThat(admin("POST", "/api/v1/projects", "{\"name\":\"hooked\"}").statusCode()).isEqualTo(201);
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.ConcurrentLinkedQueue<String[]> received = new java.util.concurrent.ConcurrentLinkedQueue<>();
        com.sun.net.httpserver.HttpServer receiver = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            boolean fail = calls.incrementAndGet() == 1;
            if (!fail) {
                received.add(new String[] {new String(body, java.nio.charset.StandardCharsets.UTF_8),
                        exchange.getRequestHeaders().getFirst("X-Stowage-Signature-256"),
                        exchange.getRequestHeaders().getFirst("Content-Type")});
            }
            exchange.sendResponseHeaders(fail ? 500 : 204, -1);
            exchange.close();
        });
        receiver.start();
        try {
            var created = admin("POST", "/api/v1/projects/hooked/webhooks", "{\"targetUrl\":\"http://127.0.0.1:"
                    + receiver.getAddress().getPort() + "/hook\",\"events\":[\"push\"]}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            JsonNode hook = JSON.readTree(created.body());
            String secret = hook.path("secret").asText();
            String id = hook.path("webhook").path("id").asText();
            assertThat(secret).hasSizeGreaterThanOrEqualTo(32);

            Path layout = dir.resolve("hooked");
            TestImages.writeImage(layout, "v1", "amd64", "hooked image");
            copy(layout, "v1", "hooked/app:v1").ok();

            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(90);
            while (received.isEmpty() && System.nanoTime() < deadline) Thread.sleep(200);
            assertThat(received).as("delivered after the receiver recovered").hasSize(1);
            String[] delivery = received.peek();
            JsonNode event = JSON.readTree(delivery[0]);
            assertThat(event.path("specversion").asText()).isEqualTo("1.0");
            assertThat(event.path("type").asText()).isEqualTo("dev.stowage.artifact.pushed");
            assertThat(event.path("subject").asText()).isEqualTo("v1");
            assertThat(delivery[2]).startsWith("application/cloudevents+json");
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8), "HmacSHA256"));
            assertThat(delivery[1]).isEqualTo("sha256=" + java.util.HexFormat.of().formatHex(
                    mac.doFinal(delivery[0].getBytes(java.nio.charset.StandardCharsets.UTF_8))));

            JsonNode log = JSON.readTree(admin("GET", "/api/v1/projects/hooked/webhooks/" + id + "/deliveries", null).body());
            assertThat(log.get(0).path("status").asText()).isEqualTo("DELIVERED");
            JsonNode attempts = JSON.readTree(admin("GET", "/api/v1/projects/hooked/webhooks/" + id + "/deliveries/"
                    + log.get(0).path("id").asText() + "/attempts", null).body());
            assertThat(attempts).extracting(a -> a.path("statusCode").asInt()).containsExactly(500, 204);
            assertThat(admin("GET", "/api/v1/projects/rel/webhooks/" + id, null).statusCode()).isEqualTo(404);
        } finally {
            receiver.stop(0);
        }
    }

    @Test
    void garbageCollectionAndQuotaRefusalsAreAnnouncedToSubscribers() throws Exception {
        assertThat(admin("POST", "/api/v1/projects", "{\"name\":\"watched\"}").statusCode()).isEqualTo(201);
        java.util.concurrent.ConcurrentLinkedQueue<String> types = new java.util.concurrent.ConcurrentLinkedQueue<>();
        com.sun.net.httpserver.HttpServer receiver = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/events", exchange -> {
            types.add(JSON.readTree(exchange.getRequestBody().readAllBytes()).path("type").asText());
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        try {
            var created = admin("POST", "/api/v1/projects/watched/webhooks", "{\"targetUrl\":\"http://127.0.0.1:"
                    + receiver.getAddress().getPort() + "/events\",\"events\":[\"GC_COMPLETED\",\"QUOTA_EXCEEDED\"]}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            // A project hears of a collection when it removed something of the project: here the manifest that
            // lost its tag when v1 moved.
            Path layout = dir.resolve("watched");
            TestImages.writeImage(layout, "v1", "amd64", "watched image");
            TestImages.writeImage(layout, "v2", "amd64", "watched image, rebuilt");
            copy(layout, "v1", "watched/app:v1").ok();
            copy(layout, "v2", "watched/app:v1").ok();
            assertThat(admin("PUT", "/api/v1/projects/watched/quota", "{\"artifacts\":0}").statusCode()).isEqualTo(200);
            TestImages.writeImage(layout, "v3", "amd64", "watched image, over quota");
            assertThat(copy(layout, "v3", "watched/app:v3").exitCode()).isNotZero();
            assertThat(admin("POST", "/api/v1/gc", "{\"untagged\":true,\"grace\":\"0s\"}").statusCode()).isEqualTo(200);
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
            while (types.size() < 2 && System.nanoTime() < deadline) Thread.sleep(200);
            assertThat(types).contains("dev.stowage.gc.completed", "dev.stowage.quota.exceeded");
        } finally {
            receiver.stop(0);
        }
    }
}
