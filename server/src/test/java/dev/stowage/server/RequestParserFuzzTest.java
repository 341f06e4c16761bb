package dev.stowage.server;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import dev.stowage.core.RegistryException;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The HTTP layer's own parsers of client text: {@code Range} on blob reads, {@code Content-Range} on chunks, and the
 * admin API's JSON bodies and fields. Each answers a value or a RegistryException (a 4xx); anything else would be
 * a 500. Regression inputs live under {@code src/test/resources/dev/stowage/server/RequestParserFuzzTestInputs/};
 * see core's ParserFuzzTest for how to fuzz for a while.
 */
class RequestParserFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void range(byte[] input) {
        if (input.length < 8) return;
        // The first 8 bytes are the blob's size; the rest is the header.
        long size = Math.abs(java.nio.ByteBuffer.wrap(input, 0, 8).getLong() % (1L << 40));
        String header = new String(Arrays.copyOfRange(input, 8, input.length), StandardCharsets.UTF_8);
        try {
            long[] span = RegistryApi.parseRange(header, size);
            if (span != null) {
                assertThat(span[0]).isBetween(0L, Math.max(0, size - 1));
                assertThat(span[1]).isBetween(span[0], Math.max(0, size - 1));
            }
        } catch (RegistryException unsatisfiable) {
            assertThat(unsatisfiable.httpStatus()).isEqualTo(416);
        }
    }

    @FuzzTest(maxDuration = "60s")
    void contentRange(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        int bar = text.indexOf('|');
        long declared = -1;
        if (bar >= 0) {
            try {
                declared = Long.parseLong(text.substring(0, bar));
            } catch (NumberFormatException e) {
                declared = -1;
            }
            text = text.substring(bar + 1);
        }
        try {
            long start = RegistryApi.chunkStart(text, declared);
            assertThat(start).isNotNegative();
        } catch (RegistryException refused) {
            assertThat(refused.httpStatus()).isEqualTo(416);
        }
    }

    @FuzzTest(maxDuration = "120s")
    void adminJson(byte[] input) {
        JsonNode body;
        try {
            body = JsonFields.parseObject(input, input.length % 2 == 0);
        } catch (RegistryException refused) {
            assertThat(refused.httpStatus()).isEqualTo(400);
            return;
        }
        // Every accessor over every field the body has (and one it lacks): a value, or 400 naming the field.
        java.util.List<String> fields = new java.util.ArrayList<>();
        body.fieldNames().forEachRemaining(fields::add);
        fields.add("absent");
        for (String field : fields) {
            for (Runnable read : new Runnable[] {
                    () -> JsonFields.string(body, field), () -> JsonFields.optionalString(body, field),
                    () -> JsonFields.bool(body, field, false), () -> JsonFields.nullableLong(body, field, 0, 100),
                    () -> JsonFields.strings(body, field), () -> JsonFields.object(body, field),
                    () -> JsonFields.duration(body, field, Duration.ofSeconds(1), Duration.ofDays(3650))}) {
                try {
                    read.run();
                } catch (RegistryException refused) {
                    assertThat(refused.httpStatus()).isEqualTo(400);
                }
            }
        }
    }
}
