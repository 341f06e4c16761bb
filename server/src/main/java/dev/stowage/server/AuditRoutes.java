package dev.stowage.server;

import dev.stowage.core.ErrorCode;
import dev.stowage.core.RegistryException;
import dev.stowage.core.audit.AuditRecord;
import dev.stowage.core.audit.AuditTimes;
import dev.stowage.core.audit.AuditTrail;
import dev.stowage.core.spi.AuditStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The audit trail's records, queried by system administrators. */
public final class AuditRoutes implements AdminRouteSet {
    private final AuditStore audit;

    public AuditRoutes(AuditStore audit) {
        this.audit = audit;
    }

    @Override
    public void declare(AdminRoutes routes) {
        routes.path("/api/v1/audit", Access.system())
                .get(ApiDoc.op("getAudit", "Query the audit trail, oldest first").tag("audit")
                        .query("actor", "string", null)
                        .query("action", "string", "pull, push, delete, sign-in, token, admin, denied")
                        .query("repository", "string", null)
                        .query("since", "string", "ISO-8601 instant (2026-01-31T12:00:00Z, or a date: its start in UTC) or a "
                                + "duration back from now (24h, 7d); 400 otherwise")
                        .query("until", "string", "end, exclusive, in the same forms as since; must be after since")
                        .query("after", "integer", "sequence to continue after (the previous answer's next)")
                        .query("limit", "integer", "at most 1000")
                        .response(200, "OK"), this::query);
    }

    /**
     * GET /api/v1/audit?actor=&action=&repository=&since=&until=&after=&limit=, oldest first, {@code next} to page;
     * since and until are instants or durations back from now ({@link AuditTimes}).
     */
    private void query(AdminCall call) {
        int limit;
        long after;
        Optional<Instant> since;
        Optional<Instant> until;
        try {
            limit = Math.min(1000, Integer.parseInt(call.query("limit").orElse("100")));
            after = Long.parseLong(call.query("after").orElse("0"));
        } catch (RuntimeException e) {
            throw new RegistryException(ErrorCode.UNSUPPORTED, "limit and after are integers", null, 400);
        }
        Instant now = Instant.now();
        try {
            since = call.query("since").map(t -> AuditTimes.parse(t, now, "since"));
            until = call.query("until").map(t -> AuditTimes.parse(t, now, "until"));
        } catch (IllegalArgumentException e) {
            throw new RegistryException(ErrorCode.UNSUPPORTED, e.getMessage(), null, 400);
        }
        if (since.isPresent() && until.isPresent() && !since.get().isBefore(until.get())) {
            throw new RegistryException(ErrorCode.UNSUPPORTED, "since must be before until (since " + since.get()
                    + ", until " + until.get() + ")", null, 400);
        }
        if (limit < 1) throw new RegistryException(ErrorCode.PAGINATION_NUMBER_INVALID, "limit must be positive");
        List<AuditRecord> records = audit.query(after, limit, call.query("actor"), call.query("action"),
                call.query("repository"), since, until);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("records", records.stream().map(r -> {
            try {
                return Exchange.JSON.readTree(AuditTrail.toJson(r));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).toList());
        if (records.size() == limit) body.put("next", records.getLast().sequence());
        call.sendJson(200, body);
    }
}
