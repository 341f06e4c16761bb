package dev.stowage.core.governance;

import dev.stowage.core.governance.Quota.Usage;
import dev.stowage.core.governance.QuotaVerdict.Status;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class QuotaTest {
    private static final long GIB = 1L << 30;

    @Test
    void anUnlimitedQuotaAllowsEverything() {
        QuotaVerdict verdict = Quota.UNLIMITED.check(new Usage(Long.MAX_VALUE - 1, 1_000_000), Long.MAX_VALUE, 1);
        assertThat(verdict).isEqualTo(new QuotaVerdict(Status.OK, "within quota"));
    }

    @Test
    void aWriteThatStaysBelowTheLimitsIsOk() {
        Quota quota = Quota.of(10 * GIB, 100L, null);
        assertThat(quota.check(new Usage(GIB, 10), GIB, 1).status()).isEqualTo(Status.OK);
    }

    @Test
    void reachingALimitExactlyIsAllowed() {
        Quota quota = Quota.of(1000L, 10L, null);
        assertThat(quota.check(new Usage(900, 9), 100, 1).status()).isEqualTo(Status.OK);
    }

    @Test
    void goingOverTheStorageLimitIsRefusedWithTheNumbers() {
        QuotaVerdict verdict = Quota.of(10 * GIB, null, null).check(new Usage(10 * GIB - 100, 5), 600L << 20, 1);
        assertThat(verdict.status()).isEqualTo(Status.EXCEEDED);
        assertThat(verdict.allowed()).isFalse();
        assertThat(verdict.message()).isEqualTo("storage quota exceeded: 10737418140 bytes used + 629145600 bytes added"
                + " = 11366563740 bytes, over the limit of 10737418240 bytes (10.6 GiB of 10.0 GiB)");
    }

    @Test
    void goingOverTheArtifactLimitIsRefusedWithTheNumbers() {
        QuotaVerdict verdict = Quota.of(null, 100L, 80).check(new Usage(0, 100), 10, 1);
        assertThat(verdict).isEqualTo(new QuotaVerdict(Status.EXCEEDED,
                "artifact quota exceeded: 100 artifacts used + 1 artifact added = 101 artifacts, over the limit of 100 artifacts",
                List.of(new QuotaVerdict.Finding(QuotaVerdict.Dimension.ARTIFACTS, Status.EXCEEDED, 101, 100))));
    }

    @Test
    void eachLimitReportsItsOwnFigures() {
        QuotaVerdict verdict = Quota.of(100L, 8L, 50).check(new Usage(60, 8), 9, 1);
        assertThat(verdict.findings()).containsExactly(
                new QuotaVerdict.Finding(QuotaVerdict.Dimension.STORAGE, Status.WARNING, 69, 100),
                new QuotaVerdict.Finding(QuotaVerdict.Dimension.ARTIFACTS, Status.EXCEEDED, 9, 8));
    }

    @Test
    void everyExceededLimitIsNamed() {
        QuotaVerdict verdict = Quota.of(100L, 1L, null).check(new Usage(100, 1), 1, 1);
        assertThat(verdict.message()).startsWith("storage quota exceeded: ").contains("; artifact quota exceeded: ");
    }

    @Test
    void usageAtOrAboveTheWarningThresholdIsAWarning() {
        Quota quota = Quota.of(1000L, null, 90);
        assertThat(quota.check(new Usage(800, 0), 99, 0).status()).isEqualTo(Status.OK);
        QuotaVerdict verdict = quota.check(new Usage(800, 0), 100, 0);
        assertThat(verdict.allowed()).isTrue();
        assertThat(verdict).isEqualTo(new QuotaVerdict(Status.WARNING,
                "storage at 90% of quota: 900 bytes of 1000 bytes (900 B of 1000 B), warning at 90%",
                List.of(new QuotaVerdict.Finding(QuotaVerdict.Dimension.STORAGE, Status.WARNING, 900, 1000))));
    }

    @Test
    void theWarningThresholdIsExactForLimitsThatAreNotMultiplesOfAHundred() {
        Quota quota = Quota.of(null, 7L, 50); // 50% of 7 is 3.5: the fourth artifact reaches it
        assertThat(quota.check(new Usage(0, 2), 0, 1).status()).isEqualTo(Status.OK);
        assertThat(quota.check(new Usage(0, 3), 0, 1).status()).isEqualTo(Status.WARNING);
    }

    @Test
    void writesThatDoNotGrowUsagePassEvenOverALoweredLimit() {
        Quota lowered = Quota.of(1000L, 5L, null);
        assertThat(lowered.check(new Usage(5000, 50), 0, 0).status()).isEqualTo(Status.OK);
        assertThat(lowered.check(new Usage(5000, 50), -4000, -10).status()).isEqualTo(Status.OK);
        assertThat(lowered.check(new Usage(5000, 50), 1, 0).status()).isEqualTo(Status.EXCEEDED);
    }

    @Test
    void aZeroLimitRefusesAnyGrowth() {
        QuotaVerdict verdict = Quota.of(0L, null, 80).check(Usage.NONE, 1, 0);
        assertThat(verdict.status()).isEqualTo(Status.EXCEEDED);
        assertThat(Quota.of(0L, null, 80).check(Usage.NONE, 0, 0).status()).isEqualTo(Status.OK);
    }

    @Test
    void hugeAdditionsDoNotOverflowIntoAllowedUsage() {
        QuotaVerdict verdict = Quota.of(Long.MAX_VALUE - 1, null, null).check(new Usage(Long.MAX_VALUE - 10, 0), 100, 0);
        assertThat(verdict.status()).isEqualTo(Status.EXCEEDED);
    }

    @Test
    void invalidQuotasAreRefusedNamingTheField() {
        assertThatThrownBy(() -> Quota.of(-1L, null, null)).hasMessage("storageLimitBytes: must be zero or more");
        assertThatThrownBy(() -> Quota.of(null, -5L, null)).hasMessage("artifactLimit: must be zero or more");
        assertThatThrownBy(() -> Quota.of(null, null, 0)).hasMessage("warningPercent: must be between 1 and 100");
        assertThatThrownBy(() -> Quota.of(null, null, 101)).isInstanceOf(PolicyException.class);
    }

    @Test
    void sizesAreShownInBinaryUnits() {
        assertThat(Quota.iec(1023)).isEqualTo("1023 B");
        assertThat(Quota.iec(1536)).isEqualTo("1.5 KiB");
        assertThat(Quota.iec(10 * GIB)).isEqualTo("10.0 GiB");
        assertThat(Quota.iec(Long.MAX_VALUE)).isEqualTo("8.0 EiB");
    }
}
