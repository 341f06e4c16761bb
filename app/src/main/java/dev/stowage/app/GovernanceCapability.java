package dev.stowage.app;

import dev.stowage.core.governance.ImmutableTagPolicy;
import dev.stowage.core.governance.QuotaPolicy;
import dev.stowage.core.governance.Schedule;
import dev.stowage.core.service.GarbageCollector;
import dev.stowage.core.service.RetentionRunner;
import dev.stowage.server.AuditRoutes;
import dev.stowage.server.CollectionRoutes;
import dev.stowage.server.ImmutabilityRoutes;
import dev.stowage.server.QuotaRoutes;
import dev.stowage.server.RetentionRoutes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Governance: immutable tags and tag mutability, retention (scheduled and on demand), quotas, garbage collection
 * (scheduled and on demand) and the audit trail's queries. Settings: {@code gc:} (and {@code audit:}). Verbs
 * {@code immutable}, {@code retention}, {@code quota}, {@code gc}, {@code audit} in {@link AdminCommand}.
 */
final class GovernanceCapability implements Capability {
    private static final Logger LOG = LoggerFactory.getLogger(GovernanceCapability.class);

    private ImmutableTagPolicy immutability;
    private QuotaPolicy quotas;

    @Override
    public String name() {
        return "governance";
    }

    @Override
    public void prepare(Node node, Contributions out) {
        immutability = new ImmutableTagPolicy(node.governance(), node.metadata());
        quotas = new QuotaPolicy(node.governance(), node.metadata(), node.events());
        out.policy(immutability);
        out.policy(quotas);
    }

    @Override
    public void start(Node node, Contributions out) {
        RetentionRunner retention = new RetentionRunner(node.service(), node.governance(), immutability, node.events());
        out.adminRoutes(new CollectionRoutes(new GarbageCollector(node.service(), node.events())),
                new AuditRoutes(node.auditStore()), new ImmutabilityRoutes(node.accounts(), immutability),
                new RetentionRoutes(node.accounts(), retention), new QuotaRoutes(node.accounts(), quotas));
        StowageConfig config = node.config();
        config.gcSchedule().ifPresent(schedule -> out.job(scheduler -> scheduleCollection(scheduler, schedule,
                new GarbageCollector(node.service(), node.events()),
                new GarbageCollector.Options(false, config.gc().untagged(), config.gcGrace()))));
        out.job(scheduler -> scheduler.scheduleWithFixedDelay(new RetentionSchedule(retention), 60, 60, TimeUnit.SECONDS));
    }

    /** Runs the collector at each time the schedule names, on the scheduler; a failed run waits for the next. */
    private static void scheduleCollection(ScheduledExecutorService executor, Schedule schedule, GarbageCollector collector,
                                           GarbageCollector.Options options) {
        Instant now = Instant.now();
        long delay = Math.max(0, Duration.between(now, schedule.next(now)).toMillis());
        executor.schedule(() -> {
            try {
                collector.run(options);
            } catch (RuntimeException e) {
                LOG.warn("scheduled garbage collection failed: {}", e.toString());
            }
            scheduleCollection(executor, schedule, collector, options);
        }, delay, TimeUnit.MILLISECONDS);
    }
}
