package dev.stowage.it;

import dev.stowage.it.support.Registry;
import dev.stowage.it.support.StowageProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** A first start with authentication on and no password given: one generated admin password, shown once. */
class FirstStartTest {
    @TempDir Path dir;

    @Test
    void generatedAdminPasswordIsShownOnceAndWorks() throws Exception {
        String password;
        try (StowageProcess first = StowageProcess.start(dir.resolve("data"), Map.of("STOWAGE_AUTH_ENABLED", "true"))) {
            Matcher m = Pattern.compile("password: (\\S+)").matcher(first.log());
            assertThat(m.find()).as(first.log()).isTrue();
            password = m.group(1);
            assertThat(Registry.get(first, "/v2/").statusCode()).isEqualTo(401);
            HttpResponse<String> token = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(first.baseUrl() + "/token?service=stowage&scope=registry:catalog:*"))
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(("admin:" + password).getBytes()))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(token.statusCode()).isEqualTo(200);
            first.kill9();
            first.restart();
            assertThat(first.log().split("password: ", -1)).hasSize(2); // still only the first start's banner
        }
    }
}
