package dev.stowage.scanner;

import dev.stowage.scanning.external.ScannerAdapterRegistration;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where registered scanner adapters are kept (their secrets sealed), which scanner is the default, and which projects
 * name their own. The built-in scanner ({@link ScannerAdapters#BUILT_IN}) is never stored as an adapter.
 */
public interface ScannerAdapterStore {
    record StoredAdapter(ScannerAdapterRegistration registration, String description, Instant createdAt,
                         Instant updatedAt) {
        public String name() {
            return registration.name();
        }
    }

    List<StoredAdapter> adapters();

    Optional<StoredAdapter> adapter(String name);

    /** Adds a new adapter; answers false when one of that name exists. */
    boolean add(StoredAdapter adapter);

    /** Replaces an existing adapter's registration; answers false when there is none of that name. */
    boolean update(StoredAdapter adapter);

    /** Why an adapter was not deleted, if it was not. */
    enum Deletion { DELETED, UNKNOWN, IS_DEFAULT, CHOSEN_BY_PROJECTS }

    /** Deletes an adapter unless it is the default or a project names it (checked in the same transaction). */
    Deletion delete(String name);

    /** The default scanner's name ({@code stowage} until another is chosen). */
    String defaultScanner();

    /** Makes {@code name} (the built-in or a registered adapter) the default; false when no such adapter exists. */
    boolean setDefault(String name);

    Optional<String> projectScanner(String project);

    /** Sets (or, empty, removes) a project's own scanner; false when the named adapter does not exist. */
    boolean setProjectScanner(String project, Optional<String> name, Instant now);

    /** The projects that name this scanner as their own. */
    List<String> projectsChoosing(String name);
}
