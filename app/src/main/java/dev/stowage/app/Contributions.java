package dev.stowage.app;

import dev.stowage.core.access.RegistryPolicy;
import dev.stowage.core.event.EventPublisher;
import dev.stowage.core.policy.ImageCheck;
import dev.stowage.server.AdminRouteSet;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;

/** What the node's capabilities contributed, gathered in the order of {@link Capabilities#all()}. */
public final class Contributions {
    /** A background job: schedules itself on the node's scheduler, which is shut down when the node stops. */
    @FunctionalInterface
    public interface Job {
        void schedule(ScheduledExecutorService scheduler);
    }

    private final List<RegistryPolicy> policies = new ArrayList<>();
    private final List<ImageCheck> imageChecks = new ArrayList<>();
    private final List<EventPublisher> listeners = new ArrayList<>();
    private final List<AdminRouteSet> adminRoutes = new ArrayList<>();
    private final List<Job> jobs = new ArrayList<>();
    private final List<AutoCloseable> closers = new ArrayList<>();

    /** Checked by the registry service before it writes or serves a manifest (in the order capabilities are listed). */
    public void policy(RegistryPolicy policy) {
        policies.add(policy);
    }

    /**
     * A check of images before they are pulled or admitted to a cluster; all of them form the node's one
     * {@link dev.stowage.core.policy.ImagePolicy} ({@link Node#imagePolicy()}).
     */
    public void imageCheck(ImageCheck check) {
        imageChecks.add(check);
    }

    /** Hears every registry event the node publishes; must never block nor throw ({@link EventPublisher}). */
    public void listener(EventPublisher listener) {
        listeners.add(listener);
    }

    /** Admin routes, served when the node has access control (the admin API needs it). */
    public void adminRoutes(AdminRouteSet... sets) {
        adminRoutes.addAll(List.of(sets));
    }

    public void job(Job job) {
        jobs.add(job);
    }

    /** Closed when the node stops, after the server and before the database, last contributed first. */
    public void onClose(AutoCloseable closer) {
        closers.add(closer);
    }

    List<RegistryPolicy> policies() { return List.copyOf(policies); }

    List<ImageCheck> imageChecks() { return List.copyOf(imageChecks); }

    List<EventPublisher> listeners() { return List.copyOf(listeners); }

    List<AdminRouteSet> adminRoutes() { return List.copyOf(adminRoutes); }

    List<Job> jobs() { return List.copyOf(jobs); }

    List<AutoCloseable> closers() { return List.copyOf(closers); }
}
