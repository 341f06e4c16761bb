package dev.stowage.admission;

import dev.stowage.core.RegistryException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AdmissionReviewTest {
    static final String REQUEST = "\"request\":{\"uid\":\"u-1\",\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"},"
            + "\"operation\":\"CREATE\",\"namespace\":\"shop\",\"name\":\"web\",\"object\":{\"metadata\":{}}}";

    static AdmissionReview parse(String text) {
        return AdmissionReview.parse(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aReviewIsRead() {
        AdmissionReview review = parse("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\"," + REQUEST + "}");
        assertThat(review.uid()).isEqualTo("u-1");
        assertThat(review.kind()).isEqualTo("Pod");
        assertThat(review.group()).isEmpty();
        assertThat(review.operation()).isEqualTo("CREATE");
        assertThat(review.subject()).isEqualTo("Pod shop/web");
        assertThat(review.dryRun()).isFalse();
        assertThat(review.oldObject()).isNull();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "not json at all                                                          | not valid JSON",
            "[1,2]                                                                    | must be an AdmissionReview",
            "{\"apiVersion\":\"admission.k8s.io/v1beta1\",\"kind\":\"AdmissionReview\"} | expected apiVersion admission.k8s.io/v1 and kind AdmissionReview, not 'admission.k8s.io/v1beta1' 'AdmissionReview'",
            "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"Pod\"}                | expected apiVersion",
            "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\"}    | has no request",
            "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"kind\":{\"kind\":\"Pod\"},\"operation\":\"CREATE\"}} | has no uid",
            "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":7}} | 'uid' must be a string",
            "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"\",\"kind\":{\"kind\":\"Pod\"},\"operation\":\"CREATE\"}} | 1 to 256 characters",
            "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"x\",\"operation\":\"CREATE\"}} | has no kind",
            "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"x\",\"uid\":\"y\"}} | duplicate field 'uid'",
    })
    void whatIsNotAReviewIsA400SayingWhy(String body, String expected) {
        assertThatThrownBy(() -> parse(body)).isInstanceOfSatisfying(RegistryException.class, e -> {
            assertThat(e.httpStatus()).isEqualTo(400);
            assertThat(e.getMessage()).contains(expected);
        });
    }

    @Test
    void deepNestingIsRefusedByTheParserNotTheStack() {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        String body = "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"x\","
                + "\"object\":" + deep + "}}";
        assertThatThrownBy(() -> parse(body)).isInstanceOfSatisfying(RegistryException.class, e -> {
            assertThat(e.httpStatus()).isEqualTo(400);
            assertThat(e.getMessage()).contains("nested too deeply (limit " + AdmissionReview.MAX_NESTING + ")");
        });
    }
}
