package dev.stowage.scanner;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stowage.core.Digest;
import dev.stowage.core.RepositoryName;
import dev.stowage.scanning.inventory.Inventory;

import java.time.Instant;
import java.util.Optional;

/**
 * Stores an image's inventory and its completed report exactly as {@link ScanService} does after reading the layers,
 * so {@code stowage bench} can fill a scanner database with thousands of scanned images without pushing and reading
 * them. It lives in the scanner's package on purpose: the stored formats (InventoryJson, ReportJson) are the scanner's
 * own and package-private, and the bench must store what a scan stores, not a copy of its format.
 */
public final class BenchScans {
    private BenchScans() {
    }

    /** Stores the inventory and a COMPLETED report of it matched by {@code matcher} at its current generation. */
    public static void storeScanned(ScanStore store, Matcher matcher, RepositoryName repository, Digest manifest,
                                    Inventory inventory, Instant now) {
        store.putInventory(manifest, InventoryJson.gzip(InventoryJson.toJson(inventory)), now);
        long generation = matcher.generation();
        ObjectNode report = ReportJson.imageReport(inventory, matcher.match(inventory), generation);
        store.putReport(new ScanStore.StoredReport(manifest, repository, ScanStore.Status.COMPLETED, "stowage",
                generation, ReportJson.countsOf(report), Optional.of(InventoryJson.gzip(report)), "", now));
    }

    /** Where the time of one re-match goes (what {@link ScanService#rematch()} does per stored inventory), in nanoseconds. */
    public record RematchSteps(long readInventory, long parseInventory, long match, long writeReportJson,
                               long storeReport) {
        public RematchSteps plus(RematchSteps o) {
            return new RematchSteps(readInventory + o.readInventory, parseInventory + o.parseInventory,
                    match + o.match, writeReportJson + o.writeReportJson, storeReport + o.storeReport);
        }
    }

    /**
     * The steps of re-matching one stored inventory, timed one by one (the same calls as {@link ScanService#rematch()}
     * makes, in the same order), for finding out which one takes the time.
     */
    public static RematchSteps timedRematch(ScanStore store, Matcher matcher, RepositoryName repository,
                                            Digest manifest, Instant now) {
        long t0 = System.nanoTime();
        byte[] stored = store.inventory(manifest).orElseThrow();
        long t1 = System.nanoTime();
        Inventory inventory = InventoryJson.fromJson(InventoryJson.gunzip(stored));
        long t2 = System.nanoTime();
        var findings = matcher.match(inventory);
        long t3 = System.nanoTime();
        long generation = matcher.generation();
        ObjectNode report = ReportJson.imageReport(inventory, findings, generation);
        byte[] gzipped = InventoryJson.gzip(report);
        long t4 = System.nanoTime();
        store.putReport(new ScanStore.StoredReport(manifest, repository, ScanStore.Status.COMPLETED, "stowage",
                generation, ReportJson.countsOf(report), Optional.of(gzipped), "", now));
        long t5 = System.nanoTime();
        return new RematchSteps(t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4);
    }
}
