package dev.stowage.metadata;

import dev.stowage.core.spi.SecretSealer;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The columns that hold secrets, sealed with {@link SecretSealer}: each value is bound to its table, column and row
 * (the associated data), so it cannot be moved to another row.
 */
final class SealedColumns {
    private SealedColumns() {}

    /** A process-wide key for stores built without one (tests, in-process tools): sealed values die with the JVM. */
    static final SecretSealer EPHEMERAL = SecretSealer.withKey(SecretSealer.newKey());

    static String where(String table, String column, String rowId) {
        return table + "." + column + ":" + rowId;
    }

    /**
     * Seals the values of one column still in plaintext (written before sealing existed) and opens every sealed one,
     * so a wrong key is found at start rather than at the first sign-in. Runs inside the caller's transaction.
     * Answers how many values it sealed.
     */
    static int sealPlaintext(Connection c, SecretSealer sealer, String table, String idColumn, String column)
            throws SQLException {
        Map<String, String> plaintext = new LinkedHashMap<>();
        try (PreparedStatement s = c.prepareStatement("SELECT " + idColumn + ", " + column + " FROM " + table
                + " WHERE " + column + " IS NOT NULL");
             ResultSet r = s.executeQuery()) {
            while (r.next()) {
                String id = r.getString(1);
                String value = r.getString(2);
                if (SecretSealer.isSealed(value)) {
                    sealer.open(value, where(table, column, id));
                } else {
                    plaintext.put(id, value);
                }
            }
        }
        try (PreparedStatement s = c.prepareStatement("UPDATE " + table + " SET " + column + " = ? WHERE " + idColumn
                + " = ? AND " + column + " = ?")) {
            for (var e : plaintext.entrySet()) {
                s.setString(1, sealer.seal(e.getValue(), where(table, column, e.getKey())));
                s.setString(2, e.getKey());
                s.setString(3, e.getValue());
                s.addBatch();
            }
            if (!plaintext.isEmpty()) s.executeBatch();
        }
        return plaintext.size();
    }
}
