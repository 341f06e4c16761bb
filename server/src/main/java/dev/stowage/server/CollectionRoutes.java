package dev.stowage.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stowage.core.ErrorCode;
import dev.stowage.core.RegistryException;
import dev.stowage.core.service.GarbageCollector;

/** Garbage collection on demand (system administrators). */
public final class CollectionRoutes implements AdminRouteSet {
    private final GarbageCollector collector;

    public CollectionRoutes(GarbageCollector collector) {
        this.collector = collector;
    }

    @Override
    public void declare(AdminRoutes routes) {
        routes.path("/api/v1/gc", Access.system())
                .post(ApiDoc.op("postGc", "Garbage-collect now, online: unreferenced blobs past the grace period, and with "
                        + "untagged:true manifests no tag, index or live subject needs. Body (all optional): {dryRun, untagged, "
                        + "grace}. Answers the report (counts, bytes freed, mark time, up to 1000 digests).").tag("gc")
                        .body("CollectionRequest").response(200, "OK")
                        .response(400, "Bad input (the message names the field)")
                        .response(409, "A collection is running on this node"), this::collect);
    }

    /** POST /api/v1/gc {"dryRun":true,"untagged":false,"grace":"1h"}: runs a collection now and answers its report. */
    private void collect(AdminCall call) {
        JsonNode body = call.jsonOrEmpty("dryRun", "untagged", "grace");
        java.time.Duration grace = JsonFields.duration(body, "grace", java.time.Duration.ZERO, dev.stowage.core.Durations.MAX)
                .orElse(GarbageCollector.DEFAULT_GRACE);
        boolean dryRun = JsonFields.bool(body, "dryRun", false);
        boolean untagged = JsonFields.bool(body, "untagged", false);
        GarbageCollector.Report report;
        try {
            report = collector.run(new GarbageCollector.Options(dryRun, untagged, grace));
        } catch (IllegalStateException e) {
            throw new RegistryException(ErrorCode.CONFLICT, e.getMessage());
        }
        call.sendJson(200, report);
    }
}
