package dev.stowage.app;

import dev.stowage.core.governance.Schedule;
import dev.stowage.core.service.RetentionRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;

/**
 * Checked once a minute: runs each project's retention policy whose cron schedule fell due since the last check.
 * On several nodes each may run it; a second run finds nothing more to remove.
 */
final class RetentionSchedule implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(RetentionSchedule.class);
    private final RetentionRunner retention;
    private Instant lastCheck = Instant.now();

    RetentionSchedule(RetentionRunner retention) {
        this.retention = retention;
    }

    @Override
    public void run() {
        Instant now = Instant.now();
        try {
            for (var policy : retention.scheduled()) {
                try {
                    if (!Schedule.parse(policy.schedule()).next(lastCheck).isAfter(now)) {
                        retention.run(policy.project(), false);
                    }
                } catch (RuntimeException e) {
                    LOG.warn("scheduled retention of {} failed: {}", policy.project(), e.toString());
                }
            }
        } finally {
            lastCheck = now;
        }
    }
}
