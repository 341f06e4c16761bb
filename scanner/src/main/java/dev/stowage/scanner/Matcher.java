package dev.stowage.scanner;

import dev.stowage.scanning.inventory.Inventory;
import dev.stowage.scanning.vuln.Finding;

import java.util.List;

/** Matches an inventory against the vulnerability data as it is now. */
public interface Matcher {
    /** The generation of the data {@link #match} uses. */
    long generation();

    List<Finding> match(Inventory inventory);
}
