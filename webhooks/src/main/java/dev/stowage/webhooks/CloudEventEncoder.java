package dev.stowage.webhooks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.stowage.core.event.RegistryEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.jackson.JsonFormat;

import java.net.URI;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A registry event as a CloudEvents 1.0 structured-mode JSON document: {@code source} is the configured prefix plus
 * the repository (or the project), {@code subject} the tag or else the digest, {@code data} a JSON object with the
 * event's fields and its type-specific data.
 */
final class CloudEventEncoder {
    static final String CONTENT_TYPE = JsonFormat.CONTENT_TYPE;
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    /** Built directly rather than found through ServiceLoader, which a shaded jar can lose. */
    private static final JsonFormat FORMAT = new JsonFormat();

    private final String sourcePrefix;

    CloudEventEncoder(String sourcePrefix) {
        this.sourcePrefix = sourcePrefix;
    }

    byte[] encode(RegistryEvent e) {
        CloudEventBuilder builder = CloudEventBuilder.v1()
                .withId(e.id())
                .withSource(source(e))
                .withType(e.type().cloudEventType())
                .withTime(e.time().atOffset(ZoneOffset.UTC));
        String subject = e.tag() != null ? e.tag() : e.digest();
        if (subject != null) builder.withSubject(subject);
        try {
            builder.withData("application/json", JSON.writeValueAsBytes(data(e)));
        } catch (JsonProcessingException ex) {
            throw new IllegalArgumentException("event data is not JSON-serializable: " + ex.getOriginalMessage(), ex);
        }
        return FORMAT.serialize(builder.build());
    }

    private URI source(RegistryEvent e) {
        String scope = e.repository() != null ? e.repository() : e.project();
        String source = scope == null ? sourcePrefix : sourcePrefix + "/" + scope;
        return URI.create(source.isEmpty() ? "/" : source);
    }

    private static Map<String, Object> data(RegistryEvent e) {
        Map<String, Object> data = new LinkedHashMap<>();
        putIfSet(data, "project", e.project());
        putIfSet(data, "repository", e.repository());
        putIfSet(data, "digest", e.digest());
        putIfSet(data, "tag", e.tag());
        putIfSet(data, "mediaType", e.mediaType());
        putIfSet(data, "actor", e.actor());
        e.data().forEach(data::putIfAbsent);
        return data;
    }

    private static void putIfSet(Map<String, Object> data, String key, String value) {
        if (value != null && !value.isEmpty()) data.put(key, value);
    }
}
