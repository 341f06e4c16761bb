package dev.stowage.scanning.inventory;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** Reads os-release(5): shell-style {@code KEY=value} lines, values optionally quoted, with backslash escapes. */
final class OsRelease {
    private OsRelease() {
    }

    static OperatingSystem parse(byte[] content) {
        Map<String, String> values = new HashMap<>();
        for (String line : new String(content, StandardCharsets.UTF_8).split("\n")) {
            String trimmed = line.strip();
            int equals = trimmed.indexOf('=');
            if (trimmed.isEmpty() || trimmed.startsWith("#") || equals <= 0) {
                continue;
            }
            values.put(trimmed.substring(0, equals), unquote(trimmed.substring(equals + 1)));
        }
        // os-release(5): ID defaults to "linux", NAME to "Linux", PRETTY_NAME to "Linux"
        String id = values.getOrDefault("ID", "linux");
        String prettyName = values.getOrDefault("PRETTY_NAME", values.getOrDefault("NAME", "Linux"));
        return new OperatingSystem(id, values.getOrDefault("VERSION_ID", ""), prettyName);
    }

    private static String unquote(String value) {
        if (value.length() >= 2 && (value.charAt(0) == '"' || value.charAt(0) == '\'')
                && value.charAt(value.length() - 1) == value.charAt(0)) {
            char quote = value.charAt(0);
            String inner = value.substring(1, value.length() - 1);
            if (quote == '\'') {
                return inner;
            }
            StringBuilder out = new StringBuilder(inner.length());
            for (int i = 0; i < inner.length(); i++) {
                char c = inner.charAt(i);
                if (c == '\\' && i + 1 < inner.length()) {
                    c = inner.charAt(++i);
                }
                out.append(c);
            }
            return out.toString();
        }
        return value;
    }
}
