package dev.stowage.app;

import dev.stowage.core.event.EventPublisher;
import dev.stowage.core.event.RegistryEvent;
import dev.stowage.core.policy.ImagePolicy;
import dev.stowage.core.service.RegistryService;
import dev.stowage.core.spi.BlobStore;
import dev.stowage.core.spi.SecretSealer;
import dev.stowage.identity.AccountService;
import dev.stowage.metadata.JdbcAuditStore;
import dev.stowage.metadata.JdbcGovernanceStore;
import dev.stowage.metadata.JdbcIdentityStore;
import dev.stowage.metadata.JdbcMetadataStore;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** The shared parts of a node that capabilities build on: configuration, stores, accounts, events, the service. */
public final class Node {
    private final StowageConfig config;
    private final JdbcMetadataStore metadata;
    private final BlobStore blobs;
    private final SecretSealer sealer;
    private final JdbcIdentityStore identities;
    private final AccountService accounts;
    private final JdbcGovernanceStore governance;
    private final JdbcAuditStore auditStore;
    private final Clock clock;
    private final List<EventPublisher> listeners = new CopyOnWriteArrayList<>();
    private final EventPublisher events = this::publish;
    private volatile RegistryService service;
    private volatile ImagePolicy imagePolicy;

    Node(StowageConfig config, JdbcMetadataStore metadata, BlobStore blobs, SecretSealer sealer, JdbcIdentityStore identities,
         AccountService accounts, JdbcAuditStore auditStore, Clock clock) {
        this.config = config;
        this.metadata = metadata;
        this.blobs = blobs;
        this.sealer = sealer;
        this.identities = identities;
        this.accounts = accounts;
        this.governance = new JdbcGovernanceStore(metadata);
        this.auditStore = auditStore;
        this.clock = clock;
    }

    public StowageConfig config() { return config; }

    public JdbcMetadataStore metadata() { return metadata; }

    /** Where blobs are stored (the service checks access; capabilities that read layers use this directly). */
    public BlobStore blobs() { return blobs; }

    /** Seals secrets that must stay readable (HMAC keys, TOTP seeds) in the JDBC stores. */
    public SecretSealer sealer() { return sealer; }

    public JdbcIdentityStore identities() { return identities; }

    /** The admin use cases of accounts, projects and robots. */
    public AccountService accounts() { return accounts; }

    /** Project policies' settings (immutability, retention, quotas), which deleting a project also removes. */
    public JdbcGovernanceStore governance() { return governance; }

    public JdbcAuditStore auditStore() { return auditStore; }

    public Clock clock() { return clock; }

    /** Where capabilities publish registry events: every listener the capabilities contributed hears them. */
    public EventPublisher events() { return events; }

    /** The registry service; there from {@link Capability#start} on. */
    public RegistryService service() {
        if (service == null) throw new IllegalStateException("the registry service is made after Capability.prepare");
        return service;
    }

    /**
     * Every image check the capabilities contributed, as one evaluation (pulls run it through the service; admission
     * reviews ask it directly); there from {@link Capability#start} on.
     */
    public ImagePolicy imagePolicy() {
        if (imagePolicy == null) throw new IllegalStateException("the image policy is made after Capability.prepare");
        return imagePolicy;
    }

    void imagePolicy(ImagePolicy made) {
        this.imagePolicy = made;
    }

    void listeners(List<EventPublisher> contributed) {
        listeners.addAll(contributed);
    }

    void service(RegistryService made) {
        this.service = made;
    }

    private void publish(RegistryEvent event) {
        for (EventPublisher listener : listeners) listener.publish(event);
    }
}
